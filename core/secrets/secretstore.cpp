#include "secretstore.h"

#include "secretslogging.h"

#include <QEventLoop>
#include <QPointer>
#include <QRegularExpression>
#include <QSettings>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace Parallax {

static const QString kNamesKey = QStringLiteral("secrets/names");
static const QString kProbeKey = QStringLiteral("parallax.keychain-probe");

namespace {

QString jobError(const QKeychain::Job *job)
{
    const QString text = job->errorString();
    return text.isEmpty() ? QStringLiteral("keychain error %1").arg(int(job->error())) : text;
}

} // namespace

SecretStore::SecretStore(QObject *parent)
    : QObject(parent)
{}

SecretStore::~SecretStore() = default;

Result<void> SecretStore::validateName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (name.isEmpty())
        return Error{QStringLiteral("a secret needs a name")};
    if (!pattern.match(name).hasMatch())
        return Error{QStringLiteral("\"%1\" is not a valid variable name: use letters, digits "
                                    "and _, not starting with a digit")
                             .arg(name)};
    if (name.startsWith(QLatin1String("PARALLAX_")))
        return Error{
                QStringLiteral("\"%1\" is reserved: Parallax sets the PARALLAX_ variables itself")
                        .arg(name)};
    return {};
}

QString SecretStore::statusText() const
{
    switch (m_backend) {
    case SecretBackend::Keychain:
        return tr("Secrets are kept in the OS keychain (service \"%1\"); a secret missing "
                  "there comes from the environment variable of the same name.")
                .arg(QLatin1String(kService));
    case SecretBackend::Environment:
        return tr("No keychain available: secrets come from the environment. "
                  "Export each secret before starting Parallax. (%1)")
                .arg(m_keychainError);
    case SecretBackend::Unknown:
        break;
    }
    return tr("Looking for the OS keychain…");
}

QStringList SecretStore::names() const
{
    QStringList list = QSettings().value(kNamesKey).toStringList();
    list.removeDuplicates();
    list.sort();
    return list;
}

void SecretStore::setNames(const QStringList &names)
{
    QStringList sorted = names;
    sorted.removeDuplicates();
    sorted.sort();
    QSettings settings;
    if (sorted.isEmpty())
        settings.remove(kNamesKey);
    else
        settings.setValue(kNamesKey, sorted);
    settings.sync();
    emit namesChanged();
}

void SecretStore::probe()
{
    whenProbed(this, [] {});
}

void SecretStore::whenProbed(QObject *context, std::function<void()> then)
{
    if (m_backend != SecretBackend::Unknown) {
        then();
        return;
    }
    m_waiters.append(Waiter{context, context != nullptr, std::move(then)});
    if (m_probing)
        return;
    m_probing = true;

    auto settled = std::make_shared<bool>(false);
    auto finish = [this, settled](SecretBackend backend, const QString &error) {
        if (*settled)
            return;
        *settled = true;
        m_probing = false;
        m_backend = backend;
        m_keychainError = error;
        if (backend == SecretBackend::Environment)
            qCInfo(lcSecrets) << kNoKeychain << error;
        const QList<Waiter> ready = std::exchange(m_waiters, {});
        for (const Waiter &waiter : ready) {
            if (!waiter.hasContext || waiter.context)
                waiter.then();
        }
        emit backendResolved(backend);
    };
    // A write (then a delete) of a key of our own: only a keychain that can really keep a value
    // counts. A read is not enough: with no Secret Service on the bus qtkeychain answers a read
    // with "not found". Anything else (no D-Bus at all, a locked keychain nobody unlocks) means
    // the environment is all there is.
    auto *job = new QKeychain::WritePasswordJob(QLatin1String(kService), this);
    job->setKey(kProbeKey);
    job->setTextData(QStringLiteral("probe"));
    job->setInsecureFallback(false); // never plain text on disk
    connect(job, &QKeychain::Job::finished, this, [this, finish](QKeychain::Job *done) {
        if (done->error() != QKeychain::NoError) {
            finish(SecretBackend::Environment, jobError(done));
            return;
        }
        auto *cleanup = new QKeychain::DeletePasswordJob(QLatin1String(kService), this);
        cleanup->setKey(kProbeKey);
        cleanup->setInsecureFallback(false);
        connect(cleanup, &QKeychain::Job::finished, this, [finish](QKeychain::Job *deleted) {
            if (deleted->error() == QKeychain::NoError
                || deleted->error() == QKeychain::EntryNotFound)
                finish(SecretBackend::Keychain, {});
            else
                finish(SecretBackend::Environment, jobError(deleted));
        });
        cleanup->start();
    });
    QTimer::singleShot(kProbeTimeoutMs, this, [finish] {
        finish(SecretBackend::Environment,
               QStringLiteral("the keychain did not answer within %1 s")
                       .arg(kProbeTimeoutMs / 1000));
    });
    job->start();
}

void SecretStore::store(const QString &name,
                        const QString &value,
                        QObject *context,
                        std::function<void(Result<void>)> done)
{
    if (const Result<void> valid = validateName(name); !valid) {
        done(valid);
        return;
    }
    if (value.isEmpty()) {
        done(Error{QStringLiteral("the value of %1 is empty").arg(name)});
        return;
    }
    whenProbed(context, [this, name, value, context, done] {
        if (!isKeychainAvailable()) {
            done(Error{QStringLiteral("cannot store %1: %2 (%3)")
                               .arg(name, QLatin1String(kNoKeychain), m_keychainError)});
            return;
        }
        auto *job = new QKeychain::WritePasswordJob(QLatin1String(kService), this);
        job->setKey(name);
        job->setTextData(value);
        job->setInsecureFallback(false);
        QPointer<QObject> guard(context);
        connect(job,
                &QKeychain::Job::finished,
                this,
                [this, name, guard, context, done](QKeychain::Job *finished) {
                    if (finished->error() == QKeychain::NoError)
                        setNames(names() << name);
                    if (context && !guard)
                        return;
                    if (finished->error() != QKeychain::NoError)
                        done(Error{QStringLiteral("cannot store %1 in the keychain: %2")
                                           .arg(name, jobError(finished))});
                    else
                        done({});
                });
        job->start();
    });
}

void SecretStore::read(const QString &name,
                       QObject *context,
                       std::function<void(Result<QString>)> done)
{
    if (const Result<void> valid = validateName(name); !valid) {
        done(Error{valid.errorString(), 400});
        return;
    }
    whenProbed(context, [this, name, context, done] {
        if (!isKeychainAvailable()) {
            done(Error{QStringLiteral("cannot read %1: %2").arg(name, QLatin1String(kNoKeychain)),
                       503});
            return;
        }
        auto *job = new QKeychain::ReadPasswordJob(QLatin1String(kService), this);
        job->setKey(name);
        job->setInsecureFallback(false);
        QPointer<QObject> guard(context);
        connect(job,
                &QKeychain::Job::finished,
                this,
                [name, guard, context, done](QKeychain::Job *finished) {
                    if (context && !guard)
                        return;
                    auto *reader = static_cast<QKeychain::ReadPasswordJob *>(finished);
                    if (finished->error() == QKeychain::EntryNotFound)
                        done(Error{QStringLiteral("%1 is not in the keychain").arg(name), 404});
                    else if (finished->error() != QKeychain::NoError)
                        done(Error{QStringLiteral("cannot read %1 from the keychain: %2")
                                           .arg(name, jobError(finished)),
                                   500});
                    else
                        done(reader->textData());
                });
        job->start();
    });
}

void SecretStore::remove(const QString &name,
                         QObject *context,
                         std::function<void(Result<void>)> done)
{
    whenProbed(context, [this, name, context, done] {
        if (!isKeychainAvailable()) {
            // Nothing is stored anywhere; forget the name so the list matches.
            QStringList list = names();
            list.removeAll(name);
            setNames(list);
            done(Error{
                    QStringLiteral("cannot remove %1: %2").arg(name, QLatin1String(kNoKeychain))});
            return;
        }
        auto *job = new QKeychain::DeletePasswordJob(QLatin1String(kService), this);
        job->setKey(name);
        job->setInsecureFallback(false);
        QPointer<QObject> guard(context);
        connect(job,
                &QKeychain::Job::finished,
                this,
                [this, name, guard, context, done](QKeychain::Job *finished) {
                    const bool gone = finished->error() == QKeychain::NoError
                                      || finished->error() == QKeychain::EntryNotFound;
                    if (gone) {
                        QStringList list = names();
                        list.removeAll(name);
                        setNames(list);
                    }
                    if (context && !guard)
                        return;
                    if (!gone)
                        done(Error{QStringLiteral("cannot remove %1 from the keychain: %2")
                                           .arg(name, jobError(finished))});
                    else
                        done({});
                });
        job->start();
    });
}

void SecretStore::resolve(const QStringList &names,
                          const QProcessEnvironment &environment,
                          QObject *context,
                          std::function<void(SecretResolution)> done)
{
    whenProbed(context, [this, names, environment, context, done] {
        auto resolution = std::make_shared<SecretResolution>();
        resolution->environment = environment;
        resolution->keychainAvailable = isKeychainAvailable();
        auto pending = std::make_shared<int>(int(names.size()));
        auto fromEnvironment = [resolution](const QString &name) {
            if (resolution->environment.value(name).isEmpty())
                resolution->missing.append(name);
            else
                resolution->fromEnvironment.append(name);
        };
        if (names.isEmpty() || !isKeychainAvailable()) {
            for (const QString &name : names)
                fromEnvironment(name);
            done(*resolution);
            return;
        }
        // Answers arrive in any order; the lists keep the spec's order.
        auto values = std::make_shared<QList<std::optional<QString>>>(names.size());
        for (qsizetype i = 0; i < names.size(); ++i) {
            read(names[i], context, [=](Result<QString> value) {
                if (value && !value->isEmpty())
                    (*values)[i] = *value;
                else if (!value && value.error().code != 404)
                    qCWarning(lcSecrets) << value.errorString();
                if (--*pending > 0)
                    return;
                for (qsizetype j = 0; j < names.size(); ++j) {
                    if ((*values)[j]) {
                        resolution->environment.insert(names[j], *(*values)[j]);
                        resolution->fromKeychain.append(names[j]);
                    } else {
                        fromEnvironment(names[j]);
                    }
                }
                done(*resolution);
            });
        }
    });
}

SecretResolution SecretStore::resolveBlocking(const QStringList &names,
                                              const QProcessEnvironment &environment)
{
    std::optional<SecretResolution> result;
    QEventLoop loop;
    resolve(names, environment, &loop, [&](SecretResolution resolution) {
        result = std::move(resolution);
        loop.quit();
    });
    if (!result)
        loop.exec();
    return std::move(*result);
}

} // namespace Parallax
