#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace Parallax {

// The error half of a Result: a sentence a user can act on ("Docker is not running: no socket
// at /var/run/docker.sock"), plus an optional machine-readable code (an HTTP status, errno...).
struct Error
{
    QString message;
    int code = 0;
};

// A value or an Error, in the spirit of std::expected (C++23, not available with GCC 12 in
// C++20 mode). Functions that can fail return this instead of throwing.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {}
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() { return std::get<0>(m_data); }
    const T &value() const { return std::get<0>(m_data); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<1>(m_data); }
    QString errorString() const { return ok() ? QString() : error().message; }

private:
    std::variant<T, Error> m_data;
};

template<>
class Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }
    QString errorString() const { return ok() ? QString() : m_error->message; }

private:
    std::optional<Error> m_error;
};

} // namespace Parallax
