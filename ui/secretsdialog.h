#pragma once

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace Parallax {

class SecretStore;

// Manages named secrets in the OS keychain: lists names (values stay hidden unless "Show" is
// clicked for one), adds, edits and removes them, and says which backend is active. When no
// keychain is available it says so and explains that secrets come from the environment; the
// editing controls are then disabled, since there is nowhere safe to keep a value. Specs refer
// to secrets by these names. GUI thread; the store is not owned.
class SecretsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SecretsDialog(SecretStore *store, QWidget *parent = nullptr);

    // Asks before removing a secret (on by default; tests turn it off).
    void setConfirmRemoval(bool confirm) { m_confirmRemoval = confirm; }

    void newSecret();
    void save();
    void removeSelected();
    void toggleShow();
    QString selectedName() const;

signals:
    void busyChanged(bool busy); // a keychain operation started or ended

private:
    void refresh();
    void updateBackend();
    void updateButtons();
    void setBusy(bool busy);
    void setError(const QString &text);
    void hideValue();

    SecretStore *m_store;
    QLabel *m_status = nullptr;
    QListWidget *m_list = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_value = nullptr;
    QLineEdit *m_shown = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_show = nullptr;
    bool m_busy = false;
    bool m_confirmRemoval = true;
};

} // namespace Parallax
