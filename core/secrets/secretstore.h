#pragma once

#include "util/result.h"

#include <QObject>
#include <QPointer>
#include <QProcessEnvironment>
#include <QStringList>

#include <functional>

namespace Parallax {

// Where a secret's value comes from.
enum class SecretBackend {
    Unknown,     // not probed yet
    Keychain,    // the OS keychain (Secret Service, KWallet, macOS Keychain...) via qtkeychain
    Environment, // no keychain answers: values come from the environment only
};

// What a run's secret names resolved to. Values only ever live in `environment`, in memory.
struct SecretResolution
{
    QProcessEnvironment environment; // the base environment with keychain values merged in
    QStringList fromKeychain;
    QStringList fromEnvironment;
    QStringList missing;
    bool keychainAvailable = false;
};

// Named secrets kept in the OS keychain under the service "Parallax" (through qtkeychain), with
// the environment as fallback when no keychain answers (a headless machine, CI). Values never
// touch QSettings, run folders, history or exports: the only thing kept outside the keychain is
// the list of names (QSettings "secrets/names"), so the window can list them without reading
// any value. Every operation is asynchronous, as qtkeychain's jobs are; callbacks run on the
// thread that owns the store (the main thread) and are dropped when `context` is destroyed.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    static constexpr char kService[] = "Parallax";
    static constexpr char kNoKeychain[]
            = "no keychain available: secrets come from the environment";
    static constexpr int kProbeTimeoutMs = 10000;

    explicit SecretStore(QObject *parent = nullptr);
    ~SecretStore() override;

    // Asks the keychain once whether it answers; backendResolved() follows (at once when it is
    // known already). Every operation below probes first by itself when needed.
    void probe();
    SecretBackend backend() const { return m_backend; }
    bool isKeychainAvailable() const { return m_backend == SecretBackend::Keychain; }
    // Why the keychain is not available (qtkeychain's own words), empty otherwise.
    QString keychainError() const { return m_keychainError; }
    // One sentence for the user: which backend is active.
    QString statusText() const;

    // Names stored in the keychain, sorted. Names only; never values.
    QStringList names() const;

    void store(const QString &name,
               const QString &value,
               QObject *context,
               std::function<void(Result<void>)> done);
    // An empty name or one not in the keychain reads as an error whose code is 404.
    void read(const QString &name, QObject *context, std::function<void(Result<QString>)> done);
    void remove(const QString &name, QObject *context, std::function<void(Result<void>)> done);

    // For a run: each name's keychain value, else the environment variable of the same name.
    void resolve(const QStringList &names,
                 const QProcessEnvironment &environment,
                 QObject *context,
                 std::function<void(SecretResolution)> done);
    // The same, waiting in a local event loop (the command line).
    SecretResolution resolveBlocking(const QStringList &names,
                                     const QProcessEnvironment &environment);

    // The rules spec secret names follow: a variable name, not PARALLAX_*.
    static Result<void> validateName(const QString &name);

signals:
    void backendResolved(Parallax::SecretBackend backend);
    void namesChanged();

private:
    void whenProbed(QObject *context, std::function<void()> then);
    void setNames(const QStringList &names);

    struct Waiter // an operation waiting for the probe's answer
    {
        QPointer<QObject> context;
        bool hasContext = false;
        std::function<void()> then;
    };

    QList<Waiter> m_waiters;
    SecretBackend m_backend = SecretBackend::Unknown;
    QString m_keychainError;
    bool m_probing = false;
};

} // namespace Parallax
