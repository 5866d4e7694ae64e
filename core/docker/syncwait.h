#pragma once

#include "dockerclient.h"

#include <QEventLoop>

#include <optional>

namespace Parallax {

// Runs one asynchronous DockerClient call to completion in a local event loop. For the
// command line and tests only; the window never blocks on Docker.
template<typename T, typename Start>
Result<T> syncCall(Start start)
{
    std::optional<Result<T>> result;
    QEventLoop loop;
    start(&loop, [&](Result<T> r) {
        result.emplace(std::move(r));
        loop.quit();
    });
    if (!result)
        loop.exec();
    return std::move(*result);
}

} // namespace Parallax
