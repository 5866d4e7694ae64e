#include "secretsdialog.h"

#include "secrets/secretstore.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QVBoxLayout>

namespace Parallax {

SecretsDialog::SecretsDialog(SecretStore *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
{
    setWindowTitle(tr("Secrets"));
    setObjectName(QStringLiteral("secretsDialog"));
    resize(560, 420);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("secretsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);
    m_status->setFrameShape(QFrame::StyledPanel);
    m_status->setMargin(6);

    auto *intro = new QLabel(tr("Specs list secrets by name (<code>\"secrets\": "
                                "[\"ANTHROPIC_API_KEY\"]</code>). At launch each name's value "
                                "comes from here, else from the environment variable of the "
                                "same name. Values are never written to settings, run "
                                "folders, history or exports."),
                             this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::RichText);

    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("secretsList"));
    connect(m_list, &QListWidget::currentTextChanged, this, [this] {
        hideValue();
        const QString name = selectedName();
        if (!name.isEmpty()) {
            m_name->setText(name);
            m_value->clear();
            m_value->setPlaceholderText(tr("type a new value to replace the stored one"));
        }
        setError({});
        updateButtons();
    });

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("secretName"));
    m_name->setPlaceholderText(tr("e.g. ANTHROPIC_API_KEY"));
    connect(m_name, &QLineEdit::textChanged, this, [this] {
        setError({});
        updateButtons();
    });
    m_value = new QLineEdit(this);
    m_value->setObjectName(QStringLiteral("secretValue"));
    m_value->setEchoMode(QLineEdit::Password);
    m_value->setPlaceholderText(tr("the value (hidden)"));
    connect(m_value, &QLineEdit::textChanged, this, &SecretsDialog::updateButtons);
    connect(m_value, &QLineEdit::returnPressed, this, &SecretsDialog::save);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("secretError"));
    m_error->setWordWrap(true);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xd0, 0x30, 0x30));
    m_error->setPalette(errorPalette);
    m_error->hide();

    m_shown = new QLineEdit(this);
    m_shown->setObjectName(QStringLiteral("secretShown"));
    m_shown->setReadOnly(true);
    m_shown->setToolTip(tr("The selected secret's value, as the keychain holds it"));
    m_shown->hide();

    m_new = new QPushButton(tr("&New"), this);
    m_save = new QPushButton(tr("&Save"), this);
    m_save->setObjectName(QStringLiteral("saveSecret"));
    m_remove = new QPushButton(tr("&Remove"), this);
    m_remove->setObjectName(QStringLiteral("removeSecret"));
    m_show = new QPushButton(tr("S&how"), this);
    m_show->setObjectName(QStringLiteral("showSecret"));
    m_show->setToolTip(tr("Reads the selected secret from the keychain and shows it here"));
    connect(m_new, &QPushButton::clicked, this, &SecretsDialog::newSecret);
    connect(m_save, &QPushButton::clicked, this, &SecretsDialog::save);
    connect(m_remove, &QPushButton::clicked, this, &SecretsDialog::removeSelected);
    connect(m_show, &QPushButton::clicked, this, &SecretsDialog::toggleShow);

    auto *listButtons = new QVBoxLayout;
    listButtons->addWidget(m_new);
    listButtons->addWidget(m_remove);
    listButtons->addWidget(m_show);
    listButtons->addStretch(1);
    auto *listRow = new QHBoxLayout;
    listRow->addWidget(m_list, 1);
    listRow->addLayout(listButtons);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Value:"), m_value);
    auto *saveRow = new QHBoxLayout;
    saveRow->addWidget(m_error, 1);
    saveRow->addStretch();
    saveRow->addWidget(m_save);

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(intro);
    layout->addLayout(listRow, 1);
    layout->addWidget(m_shown);
    layout->addLayout(form);
    layout->addLayout(saveRow);
    layout->addWidget(close);

    connect(m_store, &SecretStore::namesChanged, this, &SecretsDialog::refresh);
    connect(m_store, &SecretStore::backendResolved, this, [this] {
        updateBackend();
        refresh();
    });
    updateBackend();
    refresh();
    m_store->probe();
}

QString SecretsDialog::selectedName() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void SecretsDialog::updateBackend()
{
    const SecretBackend backend = m_store->backend();
    QString text = m_store->statusText().toHtmlEscaped();
    if (backend == SecretBackend::Keychain)
        text = QStringLiteral("<b>%1</b> %2").arg(tr("Keychain:"), text);
    else if (backend == SecretBackend::Environment)
        text = QStringLiteral("⚠ <b>%1</b><br>%2")
                       .arg(tr("No keychain available: secrets come from the environment."),
                            tr("Export each secret (e.g. <code>export ANTHROPIC_API_KEY=…</code>) "
                               "in the shell that starts Parallax. Reason: %1")
                                    .arg(m_store->keychainError().toHtmlEscaped()));
    m_status->setText(text);
    updateButtons();
}

void SecretsDialog::refresh()
{
    const QString current = selectedName();
    m_list->clear();
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : m_store->names()) {
        auto *item = new QListWidgetItem(m_list);
        item->setData(Qt::UserRole, name);
        QString text = name;
        if (m_store->backend() == SecretBackend::Environment)
            text += environment.value(name).isEmpty() ? tr("  — not set in the environment")
                                                      : tr("  — set in the environment");
        else
            text += QStringLiteral("  ••••••••");
        item->setText(text);
        if (name == current)
            m_list->setCurrentItem(item);
    }
    updateButtons();
}

void SecretsDialog::updateButtons()
{
    const bool keychain = m_store->isKeychainAvailable() && !m_busy;
    const bool selected = !selectedName().isEmpty();
    m_name->setEnabled(keychain);
    m_value->setEnabled(keychain);
    m_new->setEnabled(keychain);
    m_save->setEnabled(keychain && !m_name->text().isEmpty() && !m_value->text().isEmpty());
    m_remove->setEnabled(keychain && selected);
    m_show->setEnabled(keychain && selected);
}

void SecretsDialog::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
    emit busyChanged(busy);
}

void SecretsDialog::setError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void SecretsDialog::hideValue()
{
    m_shown->clear();
    m_shown->hide();
    m_show->setText(tr("S&how"));
}

void SecretsDialog::newSecret()
{
    m_list->setCurrentItem(nullptr);
    m_list->clearSelection();
    m_name->clear();
    m_value->clear();
    m_value->setPlaceholderText(tr("the value (hidden)"));
    m_name->setFocus();
}

void SecretsDialog::save()
{
    const QString name = m_name->text().trimmed();
    if (const Result<void> valid = SecretStore::validateName(name); !valid) {
        setError(valid.errorString());
        return;
    }
    if (m_value->text().isEmpty()) {
        setError(tr("Type the value of %1").arg(name));
        return;
    }
    setBusy(true);
    m_store->store(name, m_value->text(), this, [this, name](Result<void> stored) {
        setBusy(false);
        if (!stored) {
            setError(stored.errorString());
            return;
        }
        m_value->clear();
        refresh();
        for (int i = 0; i < m_list->count(); ++i) {
            if (m_list->item(i)->data(Qt::UserRole).toString() == name)
                m_list->setCurrentRow(i);
        }
    });
}

void SecretsDialog::removeSelected()
{
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    if (m_confirmRemoval
        && QMessageBox::question(this,
                                 tr("Remove Secret"),
                                 tr("Remove %1 from the keychain? Specs that list it will take "
                                    "it from the environment, or fail to launch.")
                                         .arg(name))
                   != QMessageBox::Yes)
        return;
    setBusy(true);
    m_store->remove(name, this, [this](Result<void> removed) {
        setBusy(false);
        if (!removed)
            setError(removed.errorString());
        else
            newSecret();
    });
}

void SecretsDialog::toggleShow()
{
    if (m_shown->isVisible()) {
        hideValue();
        return;
    }
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    setBusy(true);
    m_store->read(name, this, [this, name](Result<QString> value) {
        setBusy(false);
        if (!value) {
            setError(value.errorString());
            return;
        }
        if (selectedName() != name)
            return; // the selection moved on while the keychain answered
        m_shown->setText(*value);
        m_shown->show();
        m_show->setText(tr("&Hide"));
    });
}

} // namespace Parallax
