#pragma once

#include "util/result.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

namespace Parallax {

// The Docker CLI's contexts, read the way `docker context ls` reads them: the current one from
// DOCKER_CONTEXT or ~/.docker/config.json's "currentContext" (DOCKER_CONFIG moves the folder),
// and each context's endpoint from ~/.docker/contexts/meta/<sha256 of the name>/meta.json
// (Endpoints.docker.Host). "default" is the built-in context and has no file. Pure file
// reading, no I/O with Docker; any thread.
struct DockerContext
{
    QString name;
    QString host;        // "unix:///run/user/1000/docker.sock", as written
    QString description; // Metadata.Description, may be empty
    QString metaPath;    // the meta.json it came from
};

class DockerContexts
{
public:
    // The folder holding config.json and contexts/: $DOCKER_CONFIG, else $HOME/.docker.
    static QString configDir(const QProcessEnvironment &env);
    // The current context's name: DOCKER_CONTEXT, else config.json's currentContext, else
    // "default". A config.json that exists but is not a JSON object is an error.
    static Result<QString> currentName(const QProcessEnvironment &env);
    // One context by name; "default" is not stored and is an error here too (callers use the
    // default sockets for it). A missing or broken meta.json is an error that names the file.
    static Result<DockerContext> find(const QString &name, const QProcessEnvironment &env);
    // Every stored context that parses, sorted by name; broken ones are skipped and described
    // in `problems` when given.
    static QList<DockerContext> list(const QProcessEnvironment &env,
                                     QStringList *problems = nullptr);
    // The folder name Docker stores a context's metadata under: sha256 of the name, in hex.
    static QString storeDigest(const QString &name);
};

} // namespace Parallax
