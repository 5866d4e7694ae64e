#include "launchpanel.h"

#include "variationtablemodel.h"

#include "secrets/secretstore.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace Parallax {

namespace {

constexpr int ImageDetailRole = Qt::UserRole + 1;
const char FormLabelProperty[] = "parallaxFormLabel";

// Every field that can show a problem, in the order they appear: validate() scrolls to the
// first one that has something to say.
const QStringList AreaOrder = {
        QStringLiteral("name"),
        QStringLiteral("image"),
        QStringLiteral("command"),
        QStringLiteral("env"),
        QStringLiteral("workdir"),
        QStringLiteral("secrets"),
        QStringLiteral("repo.url"),
        QStringLiteral("repo.ref"),
        QStringLiteral("prompt"),
        QStringLiteral("variations"),
        QStringLiteral("limits.memory"),
        QStringLiteral("limits.cpus"),
        QStringLiteral("limits.pids"),
        QStringLiteral("limits.timeout"),
};

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor errorColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xff, 0x7b, 0x72) : QColor(0xc6, 0x28, 0x28);
}

QColor warningColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xe3, 0xb3, 0x41) : QColor(0x9a, 0x67, 0x00);
}

void setSmallFont(QWidget *widget)
{
    QFont font = widget->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    widget->setFont(font);
}

void setStatus(QLabel *label, const QString &text, bool error)
{
    label->setText(text);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText,
                     error ? errorColor(palette) : palette.color(QPalette::PlaceholderText));
    label->setPalette(palette);
}

const char *const LaunchHint
        = QT_TRANSLATE_NOOP("Parallax::LaunchPanel", "Ctrl+Enter launches from any field.");

QLabel *secondaryLabel(const QString &text = QString())
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    label->setPalette(palette);
    setSmallFont(label);
    return label;
}

QLabel *formLabel(const QString &text, QWidget *buddy)
{
    auto *label = new QLabel(text);
    label->setBuddy(buddy);
    label->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    label->setProperty(FormLabelProperty, true);
    return label;
}

QFormLayout *makeForm(QWidget *parent)
{
    auto *form = new QFormLayout(parent);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->setFormAlignment(Qt::AlignLeft | Qt::AlignTop);
    return form;
}

QString ageText(qint64 created)
{
    if (created <= 0)
        return {};
    const qint64 seconds = QDateTime::currentSecsSinceEpoch() - created;
    auto plural = [](qint64 n, const char *unit) {
        return QStringLiteral("%1 %2%3 ago")
                .arg(n)
                .arg(QLatin1String(unit))
                .arg(n == 1 ? QString() : QStringLiteral("s"));
    };
    if (seconds < 60)
        return QStringLiteral("just now");
    if (seconds < 3600)
        return plural(seconds / 60, "minute");
    if (seconds < 86400)
        return plural(seconds / 3600, "hour");
    if (seconds < 86400 * 30)
        return plural(seconds / 86400, "day");
    if (seconds < 86400 * 365)
        return plural(seconds / (86400 * 30), "month");
    return plural(seconds / (86400 * 365), "year");
}

QStringList splitNames(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// The image list shows each tag with its size and age, right-aligned and dimmed, like the
// second column of `docker images`.
class ImageItemDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QString detail = index.data(ImageDetailRole).toString();
        if (detail.isEmpty()) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        const QWidget *widget = opt.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        const QString text = opt.text;
        opt.text.clear();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

        const QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget)
                                       .adjusted(4, 0, -6, 0);
        const bool selected = opt.state & QStyle::State_Selected;
        const int detailWidth = opt.fontMetrics.horizontalAdvance(detail);
        painter->save();
        painter->setFont(opt.font);
        painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
        const QRect tagRect = textRect.adjusted(0, 0, -(detailWidth + 16), 0);
        painter->drawText(tagRect,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          opt.fontMetrics.elidedText(text, Qt::ElideMiddle, tagRect.width()));
        painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText
                                                   : QPalette::PlaceholderText));
        painter->drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, detail);
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.rheight() += 6; // a list to pick from, not a dense table
        const QString detail = index.data(ImageDetailRole).toString();
        if (!detail.isEmpty())
            size.rwidth() += option.fontMetrics.horizontalAdvance(detail) + 32;
        return size;
    }
};

} // namespace

LaunchPanel::LaunchPanel(QWidget *parent)
    : QWidget(parent)
    , m_variations(new VariationTableModel(this))
{
    auto *content = new QWidget;
    auto *column = new QVBoxLayout(content);
    column->setContentsMargins(12, 12, 12, 12);
    column->setSpacing(12);
    column->addWidget(buildPresetSection());
    column->addWidget(buildAgentSection());
    column->addWidget(buildTaskSection());
    column->addWidget(buildVariationsSection());
    column->addWidget(buildLimitsSection());
    column->addStretch(1);

    // One label column for every section, so that the fields line up down the whole form.
    int labelWidth = 0;
    const QList<QLabel *> labels = content->findChildren<QLabel *>();
    for (QLabel *label : labels) {
        if (label->property(FormLabelProperty).toBool())
            labelWidth = std::max(labelWidth, label->sizeHint().width());
    }
    for (QLabel *label : labels) {
        if (label->property(FormLabelProperty).toBool())
            label->setMinimumWidth(labelWidth);
    }

    m_scroll = new QScrollArea;
    m_scroll->setObjectName(QStringLiteral("launchScrollArea"));
    m_scroll->setWidget(content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Without a horizontal scroll bar, a narrower panel would clip the form: ask for its width
    // and let the window decide what to do when it has less.
    m_scroll->setMinimumWidth(content->minimumSizeHint().width()
                              + style()->pixelMetric(QStyle::PM_ScrollBarExtent));

    auto *separator = new QFrame;
    separator->setFrameShape(QFrame::HLine);
    separator->setFrameShadow(QFrame::Sunken);

    m_status = secondaryLabel(tr(LaunchHint));
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_launch = new QPushButton(tr("Launch"));
    m_launch->setObjectName(QStringLiteral("launchButton"));
    m_launch->setDefault(true);
    m_launch->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_launch->setToolTip(tr("Start every variation in its own container (Ctrl+Enter)"));
    m_launch->setMinimumWidth(m_launch->sizeHint().width() + 24);
    QFont launchFont = m_launch->font();
    launchFont.setBold(true);
    m_launch->setFont(launchFont);
    connect(m_launch, &QPushButton::clicked, this, &LaunchPanel::launchRequested);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(12, 8, 12, 10);
    bar->setSpacing(12);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_launch, 0, Qt::AlignTop);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);
    outer->addWidget(m_scroll, 1);
    outer->addWidget(separator);
    outer->addLayout(bar);

    // Rows added, removed or edited in the table are edits of the spec; a reset is setSpec.
    connect(m_variations,
            &QAbstractItemModel::dataChanged,
            this,
            [this](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                if (roles.contains(Qt::EditRole))
                    edited(QStringLiteral("variations"));
            });
    auto rowsChanged = [this] {
        syncCountFromTable();
        edited(QStringLiteral("variations"));
    };
    connect(m_variations, &QAbstractItemModel::rowsInserted, this, rowsChanged);
    connect(m_variations, &QAbstractItemModel::rowsRemoved, this, rowsChanged);
    connect(m_variations, &QAbstractItemModel::rowsMoved, this, rowsChanged);
    connect(m_variations, &QAbstractItemModel::modelReset, this, &LaunchPanel::syncCountFromTable);

    RunSpec empty;
    empty.setVariationCount(1);
    empty.variationCountHint = 0;
    setSpec(empty);
}

LaunchPanel::~LaunchPanel() = default;

QWidget *LaunchPanel::buildPresetSection()
{
    auto *section = new QWidget;
    auto *form = makeForm(section);
    form->setContentsMargins(0, 0, 0, 0);

    m_preset = new QComboBox;
    m_preset->setObjectName(QStringLiteral("presetCombo"));
    m_preset->setPlaceholderText(tr("Choose a preset…"));
    m_preset->setToolTip(tr("Fill the form with a ready-made run: the demo agent in each of its "
                            "modes, or a template for a real agent CLI"));
    m_preset->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_preset->setMinimumContentsLength(16);
    bool previousNeedsImage = false;
    const QList<Preset> presets = m_presets.all();
    for (const Preset &preset : presets) {
        // The templates that need your own image come after the ones that run as they are.
        if (preset.needsImage() && !previousNeedsImage && m_preset->count() > 0)
            m_preset->insertSeparator(m_preset->count());
        previousNeedsImage = preset.needsImage();
        m_preset->addItem(preset.title, preset.id);
        m_preset->setItemData(m_preset->count() - 1, preset.description, Qt::ToolTipRole);
    }
    m_preset->setCurrentIndex(-1);
    connect(m_preset, &QComboBox::activated, this, &LaunchPanel::onPresetActivated);

    // The description sits in the field column under the combo box, like the secrets hint.
    m_presetDescription = new QLabel;
    m_presetDescription->setObjectName(QStringLiteral("presetDescription"));
    m_presetDescription->setWordWrap(true);
    m_presetDescription->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_presetNotes = secondaryLabel();
    m_presetNotes->setObjectName(QStringLiteral("presetNotes"));
    m_presetDescription->hide();
    m_presetNotes->hide();
    auto *field = new QWidget;
    auto *fieldLayout = new QVBoxLayout(field);
    fieldLayout->setContentsMargins(0, 0, 0, 0);
    fieldLayout->setSpacing(6);
    fieldLayout->addWidget(m_preset);
    fieldLayout->addWidget(m_presetDescription);
    fieldLayout->addWidget(m_presetNotes);
    form->addRow(formLabel(tr("&Preset"), m_preset), field);
    return section;
}

QWidget *LaunchPanel::buildAgentSection()
{
    auto *group = new QGroupBox(tr("Agent"));
    auto *form = makeForm(group);

    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("optional, e.g. fix-flaky-test"));
    m_name->setToolTip(tr("A label for the run, shown in the window and in the history"));
    connect(m_name, &QLineEdit::textChanged, this, [this] { edited(QStringLiteral("name")); });
    form->addRow(formLabel(tr("&Name"), m_name), withError(m_name, QStringLiteral("name")));

    m_image = new QComboBox;
    m_image->setObjectName(QStringLiteral("imageCombo"));
    m_image->setEditable(true);
    m_image->setInsertPolicy(QComboBox::NoInsert);
    m_image->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_image->setMinimumContentsLength(12);
    m_image->setItemDelegate(new ImageItemDelegate(m_image));
    m_image->setToolTip(tr("The Docker image every variation runs, unless a variation names its "
                           "own. Pick a local image or type any name a registry has."));
    connect(m_image, &QComboBox::editTextChanged, this, [this] {
        edited(QStringLiteral("image"));
        updatePullButton();
    });
    m_refreshImages = new QToolButton;
    m_refreshImages->setObjectName(QStringLiteral("refreshImagesButton"));
    m_refreshImages->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    if (m_refreshImages->icon().isNull())
        m_refreshImages->setText(tr("Refresh"));
    m_refreshImages->setToolTip(tr("Refresh the list of local images"));
    connect(m_refreshImages, &QToolButton::clicked, this, &LaunchPanel::imagesRefreshRequested);
    auto *imageRow = new QWidget;
    auto *imageLayout = new QHBoxLayout(imageRow);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->setSpacing(4);
    imageLayout->addWidget(m_image, 1);
    imageLayout->addWidget(m_refreshImages);
    m_pullImage = new QToolButton;
    m_pullImage->setObjectName(QStringLiteral("pullImageButton"));
    m_pullImage->setText(tr("Pull"));
    m_pullImage->setToolTip(tr("This image is not available locally: pull it from its registry"));
    m_pullImage->hide();
    connect(m_pullImage, &QToolButton::clicked, this, [this] {
        const QString image = missingImage();
        if (!image.isEmpty())
            emit pullRequested(image);
    });
    imageLayout->addWidget(m_pullImage);
    m_buildImage = new QToolButton;
    m_buildImage->setObjectName(QStringLiteral("buildImageButton"));
    m_buildImage->setText(tr("Build Image"));
    m_buildImage->setToolTip(tr("Build this agent image from the preset now (Launch builds it "
                                "too when it is missing)"));
    m_buildImage->hide();
    connect(m_buildImage, &QToolButton::clicked, this, &LaunchPanel::buildImageRequested);
    imageLayout->addWidget(m_buildImage);
    form->addRow(formLabel(tr("&Image"), m_image), withError(imageRow, QStringLiteral("image")));

    m_command = new QLineEdit;
    m_command->setObjectName(QStringLiteral("commandEdit"));
    m_command->setPlaceholderText(tr("image default, e.g. npm test"));
    m_command->setToolTip(
            tr("The command to run instead of the image's own. Arguments are split at spaces; "
               "double quotes keep spaces (\"a b\"), and three double quotes stand for one "
               "literal quote. No shell is involved unless you run one, e.g. "
               "sh -c \"make && make test\". The prompt is passed as $PARALLAX_PROMPT, never "
               "spliced into the command."));
    connect(m_command, &QLineEdit::textChanged, this, [this] {
        edited(QStringLiteral("command"));
    });
    form->addRow(formLabel(tr("&Command"), m_command),
                 withError(m_command, QStringLiteral("command")));

    m_env = new QLineEdit;
    m_env->setObjectName(QStringLiteral("envEdit"));
    m_env->setPlaceholderText(tr("e.g. MODEL=gpt-4o, DEBUG=1"));
    m_env->setToolTip(tr("Environment variables for every variation, as KEY=value separated by "
                         "commas. Put a value in double quotes to include a comma. A variation's "
                         "own environment is applied on top."));
    connect(m_env, &QLineEdit::textChanged, this, [this] { edited(QStringLiteral("env")); });
    form->addRow(formLabel(tr("&Environment"), m_env), withError(m_env, QStringLiteral("env")));

    m_workdir = new QLineEdit;
    m_workdir->setObjectName(QStringLiteral("workdirEdit"));
    m_workdir->setPlaceholderText(tr("image default, e.g. /workspace"));
    m_workdir->setToolTip(tr("The working directory inside the container; an absolute path"));
    connect(m_workdir, &QLineEdit::textChanged, this, [this] {
        edited(QStringLiteral("workdir"));
    });
    form->addRow(formLabel(tr("&Working dir"), m_workdir),
                 withError(m_workdir, QStringLiteral("workdir")));

    m_secrets = new QLineEdit;
    m_secrets->setObjectName(QStringLiteral("secretsEdit"));
    m_secrets->setPlaceholderText(tr("e.g. ANTHROPIC_API_KEY, OPENAI_API_KEY"));
    m_secrets->setToolTip(tr("Names of variables whose values Parallax passes from its own "
                             "environment to every container. The values are never written to "
                             "the spec, the history or a transcript, and are masked in output."));
    connect(m_secrets, &QLineEdit::textChanged, this, [this] {
        edited(QStringLiteral("secrets"));
        updateSecretsHint();
    });
    m_secretsHint = secondaryLabel();
    m_secretsHint->setObjectName(QStringLiteral("secretsHint"));
    m_secretsHint->setTextFormat(Qt::RichText);
    auto *secrets = new QWidget;
    auto *secretsLayout = new QVBoxLayout(secrets);
    secretsLayout->setContentsMargins(0, 0, 0, 0);
    secretsLayout->setSpacing(3);
    secretsLayout->addWidget(m_secrets);
    secretsLayout->addWidget(makeErrorLabel(QStringLiteral("secrets")));
    secretsLayout->addWidget(m_secretsHint);
    form->addRow(formLabel(tr("&Secrets"), m_secrets), secrets);
    return group;
}

QWidget *LaunchPanel::buildTaskSection()
{
    auto *group = new QGroupBox(tr("Task"));
    auto *form = makeForm(group);

    m_repoUrl = new QLineEdit;
    m_repoUrl->setObjectName(QStringLiteral("repoUrlEdit"));
    m_repoUrl->setPlaceholderText(tr("optional, e.g. https://github.com/you/project.git"));
    m_repoUrl->setToolTip(tr("The repository the agent works on. The container receives it as "
                             "$PARALLAX_REPO_URL; the image's entrypoint clones it."));
    connect(m_repoUrl, &QLineEdit::textChanged, this, [this] {
        edited(QStringLiteral("repo.url"));
    });
    form->addRow(formLabel(tr("&Repository"), m_repoUrl),
                 withError(m_repoUrl, QStringLiteral("repo.url")));

    m_repoRef = new QLineEdit;
    m_repoRef->setObjectName(QStringLiteral("repoRefEdit"));
    m_repoRef->setPlaceholderText(tr("default branch, e.g. main or v1.2"));
    m_repoRef->setToolTip(tr("A branch, tag or commit of the repository, passed as "
                             "$PARALLAX_REPO_REF"));
    connect(m_repoRef, &QLineEdit::textChanged, this, [this] {
        edited(QStringLiteral("repo.ref"));
    });
    form->addRow(formLabel(tr("Re&f"), m_repoRef),
                 withError(m_repoRef, QStringLiteral("repo.ref")));

    m_prompt = new QPlainTextEdit;
    m_prompt->setObjectName(QStringLiteral("promptEdit"));
    m_prompt->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_prompt->setTabChangesFocus(true);
    m_prompt->setPlaceholderText(
            tr("What should the agent do? Each container receives this as $PARALLAX_PROMPT."));
    m_prompt->setToolTip(tr("The task for the agent, passed to every container as "
                            "$PARALLAX_PROMPT. Ctrl+Enter launches."));
    const int lineHeight = m_prompt->fontMetrics().lineSpacing();
    const int frame = 2 * m_prompt->frameWidth() + int(2 * m_prompt->document()->documentMargin());
    m_prompt->setMinimumHeight(3 * lineHeight + frame);
    m_prompt->setFixedHeight(6 * lineHeight + frame);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, [this] {
        edited(QStringLiteral("prompt"));
    });
    auto *promptLabel = formLabel(tr("Pro&mpt"), m_prompt);
    promptLabel->setAlignment(Qt::AlignRight | Qt::AlignTop);
    form->addRow(promptLabel, withError(m_prompt, QStringLiteral("prompt")));
    return group;
}

QWidget *LaunchPanel::buildVariationsSection()
{
    auto *group = new QGroupBox(tr("Variations"));
    auto *form = makeForm(group);

    m_count = new QSpinBox;
    m_count->setObjectName(QStringLiteral("countSpin"));
    m_count->setRange(1, RunSpec::MaxVariations);
    m_count->setToolTip(tr("How many containers to run. Changing it adds or removes rows "
                           "named v1, v2, … at the end of the table."));
    connect(m_count, &QSpinBox::valueChanged, this, &LaunchPanel::onCountChanged);

    m_add = new QPushButton(tr("&Add"));
    m_add->setObjectName(QStringLiteral("addVariationButton"));
    m_add->setToolTip(tr("Add a variation without overrides"));
    m_duplicate = new QPushButton(tr("&Duplicate"));
    m_duplicate->setObjectName(QStringLiteral("duplicateVariationButton"));
    m_duplicate->setToolTip(tr("Copy the current variation under a new name"));
    m_remove = new QPushButton(tr("Remo&ve"));
    m_remove->setObjectName(QStringLiteral("removeVariationsButton"));
    m_remove->setToolTip(tr("Remove the selected variations"));
    for (QPushButton *button : {m_add, m_duplicate, m_remove})
        button->setAutoDefault(false);
    connect(m_add, &QPushButton::clicked, this, &LaunchPanel::addVariation);
    connect(m_duplicate, &QPushButton::clicked, this, &LaunchPanel::duplicateVariation);
    connect(m_remove, &QPushButton::clicked, this, &LaunchPanel::removeVariations);

    auto *countRow = new QWidget;
    auto *countLayout = new QHBoxLayout(countRow);
    countLayout->setContentsMargins(0, 0, 0, 0);
    countLayout->addWidget(m_count);
    countLayout->addStretch(1);
    form->addRow(formLabel(tr("C&ount"), m_count), countRow);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("variationTable"));
    m_table->setModel(m_variations);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                             | QAbstractItemView::AnyKeyPressed);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setToolTip(tr("Each row is one container. Double-click a cell to edit it; empty "
                           "overrides inherit the values above."));
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(VariationTableModel::EnvColumn, QHeaderView::Stretch);
    const QFontMetrics metrics = m_table->fontMetrics();
    const int charWidth = metrics.horizontalAdvance(QLatin1Char('x'));
    header->resizeSection(VariationTableModel::NameColumn, charWidth * 12);
    header->resizeSection(VariationTableModel::CommandColumn, charWidth * 13);
    header->resizeSection(VariationTableModel::ImageColumn, charWidth * 10);
    QHeaderView *rows = m_table->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(metrics.height() + 10);
    rows->setDefaultAlignment(Qt::AlignCenter);
    m_table->setMinimumHeight(header->sizeHint().height() + 3 * rows->defaultSectionSize()
                              + 2 * m_table->frameWidth());
    m_table->setFixedHeight(header->sizeHint().height() + 5 * rows->defaultSectionSize()
                            + 2 * m_table->frameWidth() + 2);
    connect(m_table->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &LaunchPanel::updateButtons);
    connect(m_table->selectionModel(),
            &QItemSelectionModel::currentChanged,
            this,
            &LaunchPanel::updateButtons);
    form->addRow(m_table);
    form->addRow(makeErrorLabel(QStringLiteral("variations")));

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(6);
    buttons->addWidget(m_add);
    buttons->addWidget(m_duplicate);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    form->addRow(buttons);
    return group;
}

QWidget *LaunchPanel::buildLimitsSection()
{
    auto *group = new QGroupBox(tr("Limits"));
    auto *grid = new QGridLayout(group);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);

    auto makeLimit = [this](const QString &objectName,
                            const QString &placeholder,
                            const QString &toolTip,
                            const QString &area) {
        auto *edit = new QLineEdit;
        edit->setObjectName(objectName);
        edit->setPlaceholderText(placeholder);
        edit->setToolTip(toolTip);
        connect(edit, &QLineEdit::textChanged, this, [this, area] { edited(area); });
        return edit;
    };
    m_memory = makeLimit(QStringLiteral("memoryEdit"),
                         tr("e.g. 2g"),
                         tr("Memory limit per container: 512m, 2g, 1.5g… Units are binary "
                            "(1k = 1024 bytes). Empty: no limit."),
                         QStringLiteral("limits.memory"));
    m_cpus = makeLimit(QStringLiteral("cpusEdit"),
                       tr("e.g. 1.5"),
                       tr("CPU share per container, e.g. 1.5 for one and a half cores. "
                          "Empty: no limit."),
                       QStringLiteral("limits.cpus"));
    m_pids = makeLimit(QStringLiteral("pidsEdit"),
                       tr("e.g. 512"),
                       tr("The most processes and threads a container may have; this stops "
                          "fork bombs. Empty: no limit."),
                       QStringLiteral("limits.pids"));
    m_timeout = makeLimit(QStringLiteral("timeoutEdit"),
                          tr("e.g. 30m"),
                          tr("Wall-clock limit per variation, after which its container is "
                             "stopped: 90s, 30m, 1h30m… Empty: no limit."),
                          QStringLiteral("limits.timeout"));

    // Labels of two-column rows are top-aligned and as tall as a line edit, so that they stay
    // level with their field when a problem appears underneath it.
    const int rowHeight = m_memory->sizeHint().height();
    auto label = [rowHeight](const QString &text, QWidget *buddy) {
        QLabel *l = formLabel(text, buddy);
        l->setMinimumHeight(rowHeight);
        return l;
    };
    QLabel *cpusLabel = label(tr("C&PUs"), m_cpus);
    QLabel *timeoutLabel = label(tr("&Timeout"), m_timeout);
    cpusLabel->setProperty(FormLabelProperty, false);
    timeoutLabel->setProperty(FormLabelProperty, false);
    const int innerWidth
            = std::max(cpusLabel->sizeHint().width(), timeoutLabel->sizeHint().width());
    cpusLabel->setMinimumWidth(innerWidth);
    timeoutLabel->setMinimumWidth(innerWidth);

    grid->addWidget(label(tr("&Memory"), m_memory), 0, 0, Qt::AlignTop);
    grid->addWidget(withError(m_memory, QStringLiteral("limits.memory")), 0, 1, Qt::AlignTop);
    grid->addWidget(cpusLabel, 0, 2, Qt::AlignTop);
    grid->addWidget(withError(m_cpus, QStringLiteral("limits.cpus")), 0, 3, Qt::AlignTop);
    grid->addWidget(label(tr("P&rocesses"), m_pids), 1, 0, Qt::AlignTop);
    grid->addWidget(withError(m_pids, QStringLiteral("limits.pids")), 1, 1, Qt::AlignTop);
    grid->addWidget(timeoutLabel, 1, 2, Qt::AlignTop);
    grid->addWidget(withError(m_timeout, QStringLiteral("limits.timeout")), 1, 3, Qt::AlignTop);

    m_tty = new QCheckBox(tr("Terminal (TT&Y)"));
    m_tty->setObjectName(QStringLiteral("ttyCheck"));
    m_tty->setToolTip(tr("Give each container a terminal: output keeps its colours and progress "
                         "bars, but stdout and stderr arrive mixed in one stream"));
    m_keep = new QCheckBox(tr("&Keep containers"));
    m_keep->setObjectName(QStringLiteral("keepCheck"));
    m_keep->setToolTip(tr("Keep the containers after the run so that you can inspect them with "
                          "docker; by default they are removed once their output is saved"));
    connect(m_tty, &QCheckBox::toggled, this, [this] { edited(QString()); });
    connect(m_keep, &QCheckBox::toggled, this, [this] { edited(QString()); });
    auto *options = new QWidget;
    auto *optionsLayout = new QVBoxLayout(options);
    optionsLayout->setContentsMargins(0, 0, 0, 0);
    optionsLayout->setSpacing(6);
    optionsLayout->addWidget(m_tty);
    optionsLayout->addWidget(m_keep);
    QLabel *optionsLabel = formLabel(tr("Options"), m_tty);
    optionsLabel->setMinimumHeight(m_tty->sizeHint().height());
    grid->addWidget(optionsLabel, 2, 0, Qt::AlignTop);
    grid->addWidget(options, 2, 1, 1, 3, Qt::AlignTop);

    m_network = new QComboBox;
    m_network->setObjectName(QStringLiteral("networkCombo"));
    m_network->addItem(tr("Default (Docker's)"), QStringLiteral("default"));
    m_network->addItem(tr("None (loopback only)"), QStringLiteral("none"));
    m_network->addItem(tr("Host (the host's interfaces)"), QStringLiteral("host"));
    m_network->setToolTip(tr("The containers' network: Docker's default, none at all (an agent "
                             "that must not reach anything), or the host's own"));
    connect(m_network, &QComboBox::currentIndexChanged, this, [this] { edited(QString()); });
    grid->addWidget(label(tr("&Network"), m_network), 3, 0, Qt::AlignTop);
    grid->addWidget(m_network, 3, 1, 1, 3, Qt::AlignTop);
    return group;
}

QWidget *LaunchPanel::withError(QWidget *field, const QString &area)
{
    auto *container = new QWidget;
    auto *layout = new QVBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addWidget(field);
    layout->addWidget(makeErrorLabel(area));
    return container;
}

QLabel *LaunchPanel::makeErrorLabel(const QString &area)
{
    auto *label = new QLabel;
    label->setObjectName(QStringLiteral("error_") + area);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, errorColor(palette));
    label->setPalette(palette);
    setSmallFont(label);
    label->hide();
    m_errors.insert(area, label);
    return label;
}

void LaunchPanel::setSpec(const RunSpec &spec)
{
    m_agent.reset();
    m_agentTag.clear();
    fillForm(spec);
    {
        const QSignalBlocker blocker(m_preset);
        m_preset->setCurrentIndex(-1);
    }
    m_presetIndex = -1;
    m_presetDescription->hide();
    m_presetNotes->hide();
    setModified(false);
}

void LaunchPanel::fillForm(const RunSpec &spec)
{
    m_filling = true;
    m_name->setText(spec.name);
    m_image->setEditText(spec.image);
    m_command->setText(VariationTableModel::formatCommand(spec.command));
    m_env->setText(VariationTableModel::formatEnv(spec.env));
    m_workdir->setText(spec.workdir);
    m_secrets->setText(spec.secrets.join(QLatin1String(", ")));
    m_repoUrl->setText(spec.repo ? spec.repo->url : QString());
    m_repoRef->setText(spec.repo ? spec.repo->ref : QString());
    m_prompt->setPlainText(spec.prompt);
    m_memory->setText(spec.limits.memoryBytes > 0 ? formatSize(spec.limits.memoryBytes)
                                                  : QString());
    m_cpus->setText(spec.limits.cpus > 0
                            ? QString::number(spec.limits.cpus, 'g', QLocale::FloatingPointShortest)
                            : QString());
    m_pids->setText(spec.limits.pids > 0 ? QString::number(spec.limits.pids) : QString());
    m_timeout->setText(spec.limits.timeoutMs > 0 ? formatDuration(spec.limits.timeoutMs)
                                                 : QString());
    m_tty->setChecked(spec.tty);
    m_keep->setChecked(spec.keepContainers);
    m_network->setCurrentIndex(qMax(0, m_network->findData(spec.network)));

    QList<VariationSpec> variations = spec.variations;
    if (variations.isEmpty())
        variations.append(VariationSpec{QStringLiteral("v1"), {}, std::nullopt, {}});
    m_variations->setVariations(variations);
    m_loadedCountHint = spec.variationCountHint;
    m_preferCount = spec.variationCountHint > 0 || m_variations->rowCount() == 1;

    // Long values (a command, an environment) should show their start, not their end.
    const QList<QLineEdit *> edits = findChildren<QLineEdit *>();
    for (QLineEdit *edit : edits)
        edit->setCursorPosition(0);

    clearAllProblems();
    resetImagePlaceholder();
    updateSecretsHint();
    updateButtons();
    m_filling = false;
}

Result<RunSpec> LaunchPanel::spec(QList<SpecProblem> *problems) const
{
    QList<SpecProblem> found;
    QJsonObject root;

    const QString name = m_name->text().trimmed();
    if (!name.isEmpty())
        root.insert(QLatin1String("name"), name);
    const QString image = m_image->currentText().trimmed();
    if (!image.isEmpty())
        root.insert(QLatin1String("image"), image);
    const QStringList command = QProcess::splitCommand(m_command->text());
    if (!command.isEmpty())
        root.insert(QLatin1String("command"), QJsonArray::fromStringList(command));
    const QString workdir = m_workdir->text().trimmed();
    if (!workdir.isEmpty())
        root.insert(QLatin1String("workdir"), workdir);

    auto envObject = [](const QMap<QString, QString> &env) {
        QJsonObject object;
        for (auto it = env.begin(); it != env.end(); ++it)
            object.insert(it.key(), it.value());
        return object;
    };
    const Result<QMap<QString, QString>> env = VariationTableModel::parseEnv(m_env->text());
    if (!env)
        found.append(SpecProblem{QStringLiteral("env"), env.errorString()});
    else if (!env->isEmpty())
        root.insert(QLatin1String("env"), envObject(*env));

    const QStringList secrets = splitNames(m_secrets->text());
    if (!secrets.isEmpty())
        root.insert(QLatin1String("secrets"), QJsonArray::fromStringList(secrets));
    const QString prompt = m_prompt->toPlainText();
    if (!prompt.trimmed().isEmpty())
        root.insert(QLatin1String("prompt"), prompt);

    const QString url = m_repoUrl->text().trimmed();
    const QString ref = m_repoRef->text().trimmed();
    if (!url.isEmpty() || !ref.isEmpty()) {
        QJsonObject repo;
        if (!url.isEmpty())
            repo.insert(QLatin1String("url"), url);
        if (!ref.isEmpty())
            repo.insert(QLatin1String("ref"), ref);
        root.insert(QLatin1String("repo"), repo);
    }
    if (m_tty->isChecked())
        root.insert(QLatin1String("tty"), true);
    if (m_keep->isChecked())
        root.insert(QLatin1String("keep_containers"), true);
    if (const QString network = m_network->currentData().toString();
        network != QLatin1String("default"))
        root.insert(QLatin1String("network"), network);

    // Limits go to fromJson as the text the user typed, so that its messages ("'2 gigs' is not
    // a size like 512m or 2g") are the ones the command line prints.
    QJsonObject limits;
    if (const QString memory = m_memory->text().trimmed(); !memory.isEmpty())
        limits.insert(QLatin1String("memory"), memory);
    if (const QString cpus = m_cpus->text().trimmed(); !cpus.isEmpty()) {
        bool ok = false;
        const double value = QLocale::c().toDouble(cpus, &ok);
        limits.insert(QLatin1String("cpus"), ok ? QJsonValue(value) : QJsonValue(cpus));
    }
    if (const QString pids = m_pids->text().trimmed(); !pids.isEmpty()) {
        bool ok = false;
        const double value = QLocale::c().toDouble(pids, &ok);
        if (ok)
            limits.insert(QLatin1String("pids"), value);
        else
            found.append(
                    SpecProblem{QStringLiteral("limits.pids"),
                                QStringLiteral("'%1' is not a whole number like 512").arg(pids)});
    }
    if (const QString timeout = m_timeout->text().trimmed(); !timeout.isEmpty())
        limits.insert(QLatin1String("timeout"), timeout);
    if (!limits.isEmpty())
        root.insert(QLatin1String("limits"), limits);

    const QList<VariationSpec> variations = m_variations->variations(&found);
    const int count = int(variations.size());
    if (m_variations->isCounted() && m_preferCount) {
        if (count > 1 || m_loadedCountHint == 1)
            root.insert(QLatin1String("variations"), count);
    } else {
        QJsonArray list;
        for (const VariationSpec &variation : variations) {
            QJsonObject object;
            if (!variation.name.isEmpty())
                object.insert(QLatin1String("name"), variation.name);
            if (!variation.env.isEmpty())
                object.insert(QLatin1String("env"), envObject(variation.env));
            if (variation.command)
                object.insert(QLatin1String("command"),
                              QJsonArray::fromStringList(*variation.command));
            if (!variation.image.isEmpty())
                object.insert(QLatin1String("image"), variation.image);
            list.append(object);
        }
        root.insert(QLatin1String("variations"), list);
    }

    QList<SpecProblem> specProblems;
    Result<RunSpec> result
            = RunSpec::fromJson(QJsonDocument(root).toJson(QJsonDocument::Compact), &specProblems);
    found.append(specProblems);
    if (problems)
        *problems = found;
    if (found.isEmpty())
        return result;
    QStringList lines;
    lines.reserve(found.size());
    for (const SpecProblem &problem : std::as_const(found))
        lines.append(problem.toString());
    return Error{lines.join(QLatin1Char('\n')), 2};
}

bool LaunchPanel::validate()
{
    clearAllProblems();
    QList<SpecProblem> problems;
    const bool ok = spec(&problems).ok();

    static const QRegularExpression rowField(
            QStringLiteral("^variations\\[(\\d+)\\](?:\\.(.*))?$"));
    QHash<QString, QStringList> byArea;
    QStringList general;
    int firstRow = -1;
    for (const SpecProblem &problem : std::as_const(problems)) {
        if (const QRegularExpressionMatch match = rowField.match(problem.field); match.hasMatch()) {
            const int row = match.captured(1).toInt();
            const QString sub = match.captured(2);
            const QString where = sub.isEmpty() ? QString() : sub + QLatin1String(": ");
            m_variations->addRowProblem(row, where + problem.message);
            const QString rowName = m_variations->index(row, 0).data().toString();
            byArea[QStringLiteral("variations")].append(
                    rowName.isEmpty() ? tr("Row %1, %2%3").arg(row + 1).arg(where, problem.message)
                                      : tr("Row %1 (%2), %3%4")
                                                .arg(row + 1)
                                                .arg(rowName, where, problem.message));
            if (firstRow < 0 || row < firstRow)
                firstRow = row;
            continue;
        }
        const QString area = areaFor(problem.field);
        if (area.isEmpty()) {
            general.append(problem.toString());
            continue;
        }
        // The label sits under the field, so "limits.memory: " would only repeat it; a
        // sub-path such as "env.MY-VAR" is kept because the message may not name it.
        const QString sub = problem.field.mid(area.size());
        byArea[area].append(sub.startsWith(QLatin1Char('.'))
                                            && !problem.message.contains(sub.mid(1))
                                    ? problem.field + QLatin1String(": ") + problem.message
                                    : problem.message);
    }

    QLabel *first = nullptr;
    for (const QString &area : AreaOrder) {
        if (!byArea.contains(area))
            continue;
        showProblem(area, byArea.value(area).join(QLatin1Char('\n')));
        if (!first)
            first = m_errors.value(area);
    }
    if (firstRow >= 0) {
        m_table->clearSelection();
        m_table->selectRow(firstRow);
        m_table->scrollTo(m_variations->index(firstRow, 0));
    }

    if (ok)
        return true;
    QStringList lines;
    lines.append(problems.size() == 1
                         ? tr("1 problem: see the field marked in red.")
                         : tr("%1 problems: see the fields marked in red.").arg(problems.size()));
    lines.append(general);
    setStatus(m_status, lines.join(QLatin1Char('\n')), true);
    if (first && isVisible())
        m_scroll->ensureWidgetVisible(first->parentWidget() ? first->parentWidget() : first, 0, 24);
    return false;
}

Result<void> LaunchPanel::loadFile(const QString &path)
{
    const Result<RunSpec> loaded = RunSpec::fromFile(path);
    if (!loaded)
        return loaded.error();
    setSpec(*loaded);
    setCurrentFile(QFileInfo(path).absoluteFilePath());
    return {};
}

Result<void> LaunchPanel::saveFile(const QString &path)
{
    if (!validate())
        return Error{
                tr("The spec was not saved because it has problems:\n%1").arg(spec().errorString()),
                2};
    const Result<RunSpec> built = spec();
    QSaveFile file(path);
    const QString shown = QDir::toNativeSeparators(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{tr("cannot write %1: %2").arg(shown, file.errorString())};
    file.write(built->toJsonBytes());
    if (!file.commit())
        return Error{tr("cannot write %1: %2").arg(shown, file.errorString())};
    setCurrentFile(QFileInfo(path).absoluteFilePath());
    setModified(false);
    return {};
}

void LaunchPanel::setModified(bool modified)
{
    if (m_modified == modified)
        return;
    m_modified = modified;
    emit modifiedChanged(modified);
}

void LaunchPanel::setCurrentFile(const QString &path)
{
    if (m_currentFile == path)
        return;
    m_currentFile = path;
    emit currentFileChanged(path);
}

void LaunchPanel::setImages(const QList<ImageSummary> &images)
{
    struct Entry
    {
        QString tag;
        QString detail;
        QString toolTip;
    };
    QList<Entry> entries;
    const QLocale locale;
    for (const ImageSummary &image : images) {
        const QString size = locale.formattedDataSize(image.size, 1, QLocale::DataSizeSIFormat);
        const QString age = ageText(image.created);
        const QString detail = age.isEmpty() ? size : size + QStringLiteral(" · ") + age;
        const QString toolTip = age.isEmpty() ? size : tr("%1, created %2").arg(size, age);
        for (const QString &tag : image.repoTags) {
            if (tag.isEmpty() || tag == QLatin1String("<none>:<none>"))
                continue;
            entries.append(Entry{tag, detail, toolTip});
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.tag < b.tag;
    });

    const QString text = m_image->currentText();
    const QSignalBlocker blocker(m_image);
    m_image->clear();
    for (const Entry &entry : std::as_const(entries)) {
        m_image->addItem(entry.tag);
        const int index = m_image->count() - 1;
        m_image->setItemData(index, entry.detail, ImageDetailRole);
        m_image->setItemData(index, entry.toolTip, Qt::ToolTipRole);
    }
    m_image->setCurrentIndex(-1);
    m_image->setEditText(text);
    m_localTags.clear();
    for (const Entry &entry : std::as_const(entries))
        m_localTags.append(entry.tag);
    m_imagesKnown = true;
    updatePullButton();
}

// The spellings one local tag can be typed as.
static QStringList tagAliases(const QString &tag)
{
    QStringList aliases{tag};
    for (const QLatin1String prefix : {QLatin1String("docker.io/library/"),
                                       QLatin1String("docker.io/"),
                                       QLatin1String("localhost/")}) {
        if (tag.startsWith(prefix))
            aliases.append(tag.mid(prefix.size()));
    }
    for (const QString &alias : QStringList(aliases)) {
        if (alias.endsWith(QLatin1String(":latest")))
            aliases.append(alias.chopped(7));
    }
    return aliases;
}

bool LaunchPanel::isLocalImage(const QString &image) const
{
    const QString wanted = image.trimmed();
    for (const QString &tag : m_localTags) {
        if (tagAliases(tag).contains(wanted))
            return true;
    }
    return false;
}

QString LaunchPanel::missingImage() const
{
    const QString image = m_image->currentText().trimmed();
    if (!m_imagesKnown || image.isEmpty() || image.contains(QLatin1Char(' '))
        || isLocalImage(image))
        return {};
    return image;
}

std::optional<AgentSpec> LaunchPanel::agent() const
{
    if (m_agent && m_image->currentText().trimmed() == m_agentTag)
        return m_agent;
    return std::nullopt;
}

void LaunchPanel::updatePullButton()
{
    // An agent preset's image is built, not pulled.
    const bool agentImage = agent().has_value();
    m_buildImage->setVisible(agentImage
                             && !(m_imagesKnown && isLocalImage(m_image->currentText().trimmed())));
    const QString image = agentImage ? QString() : missingImage();
    m_pullImage->setVisible(!image.isEmpty());
    m_pullImage->setToolTip(
            tr("%1 is not available locally: pull it from its registry").arg(image));
}

bool LaunchPanel::applyPreset(const QString &id)
{
    const Preset preset = m_presets.byId(id);
    if (!preset.isValid())
        return false;
    Result<RunSpec> parsed = preset.runSpec();
    if (!parsed)
        return false;
    RunSpec spec = *parsed;
    if (preset.needsImage())
        spec.image.clear();
    m_agent = preset.agent;
    m_agentTag = preset.agentTag();
    fillForm(spec);
    if (m_agent) {
        m_image->setToolTip(tr("Parallax builds this image from the preset: %1 %2 on %3 "
                               "(docs/agents.md). Type another image to run that instead.")
                                    .arg(m_agent->package, m_agent->version, m_agent->base));
    }
    if (preset.needsImage()) {
        m_image->lineEdit()->setPlaceholderText(
                tr("your image, e.g. %1").arg(preset.imagePlaceholder));
        m_image->setToolTip(tr("This template needs an image that has the agent CLI installed; "
                               "replace the example with yours. See the notes above."));
    }

    const int index = m_preset->findData(preset.id);
    {
        const QSignalBlocker blocker(m_preset);
        m_preset->setCurrentIndex(index);
    }
    m_presetIndex = index;
    m_presetDescription->setText(preset.description);
    m_presetDescription->setVisible(!preset.description.isEmpty());
    m_presetNotes->setText(preset.notes);
    m_presetNotes->setVisible(!preset.notes.isEmpty());
    setCurrentFile(QString());
    setModified(false);
    return true;
}

void LaunchPanel::onPresetActivated(int index)
{
    const QString id = m_preset->itemData(index).toString();
    if (id.isEmpty() || index == m_presetIndex)
        return;
    if (m_modified) {
        const auto answer = QMessageBox::question(
                this,
                tr("Replace the Form?"),
                tr("Fill the form from the preset “%1”? Your unsaved changes will be lost.")
                        .arg(m_preset->itemText(index)),
                QMessageBox::Discard | QMessageBox::Cancel,
                QMessageBox::Cancel);
        if (answer != QMessageBox::Discard) {
            const QSignalBlocker blocker(m_preset);
            m_preset->setCurrentIndex(m_presetIndex);
            return;
        }
    }
    applyPreset(id);
}

void LaunchPanel::onCountChanged(int count)
{
    if (m_filling)
        return;
    m_preferCount = true;
    m_variations->resize(count);
}

void LaunchPanel::syncCountFromTable()
{
    const QSignalBlocker blocker(m_count);
    m_count->setValue(m_variations->rowCount());
    updateButtons();
}

void LaunchPanel::updateButtons()
{
    const int rows = m_variations->rowCount();
    const int selected = int(m_table->selectionModel()->selectedRows().size());
    m_add->setEnabled(rows < RunSpec::MaxVariations);
    m_duplicate->setEnabled(m_table->currentIndex().isValid() && rows < RunSpec::MaxVariations);
    m_remove->setEnabled(selected > 0 && selected < rows);
}

void LaunchPanel::updateSecretsHint()
{
    QString text = tr("Names only: at launch each value comes from Run ▸ Secrets… (the "
                      "keychain) or else from your environment, and is never stored.");
    QStringList unset;
    const QStringList names = splitNames(m_secrets->text());
    // The keychain's list of names is kept beside it (never the values): enough to tell which
    // names have a value somewhere without asking the keychain on every keystroke.
    const QStringList stored = SecretStore().names();
    for (const QString &name : names) {
        if (!stored.contains(name) && !qEnvironmentVariableIsSet(name.toLocal8Bit().constData()))
            unset.append(name.toHtmlEscaped());
    }
    if (!unset.isEmpty())
        text += QStringLiteral("<br><span style=\"color:%1\">%2</span>")
                        .arg(warningColor(palette()).name(),
                             tr("Not in Secrets… nor in this environment: %1")
                                     .arg(unset.join(QLatin1String(", "))));
    m_secretsHint->setText(text);
}

void LaunchPanel::addVariation()
{
    const int row = m_variations->addRow();
    if (row < 0)
        return;
    m_table->setCurrentIndex(m_variations->index(row, VariationTableModel::NameColumn));
    m_table->scrollTo(m_table->currentIndex());
}

void LaunchPanel::duplicateVariation()
{
    const int row = m_variations->duplicateRow(m_table->currentIndex().row());
    if (row < 0)
        return;
    m_table->setCurrentIndex(m_variations->index(row, VariationTableModel::NameColumn));
    m_table->scrollTo(m_table->currentIndex());
}

void LaunchPanel::removeVariations()
{
    QList<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected)
        rows.append(index.row());
    // A spec has at least one variation.
    if (rows.isEmpty() || rows.size() >= m_variations->rowCount())
        return;
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int row : std::as_const(rows))
        m_variations->removeRows(row, 1);
}

void LaunchPanel::edited(const QString &area)
{
    if (m_filling)
        return;
    if (!area.isEmpty())
        clearProblem(area);
    setModified(true);
}

void LaunchPanel::clearProblem(const QString &area)
{
    if (QLabel *label = m_errors.value(area); label && !label->isHidden()) {
        label->clear();
        label->hide();
    }
}

void LaunchPanel::clearAllProblems()
{
    for (QLabel *label : std::as_const(m_errors)) {
        label->clear();
        label->hide();
    }
    m_variations->clearProblems();
    setStatus(m_status, tr(LaunchHint), false);
}

void LaunchPanel::showProblem(const QString &area, const QString &text)
{
    if (QLabel *label = m_errors.value(area)) {
        label->setText(text);
        label->show();
    }
}

void LaunchPanel::resetImagePlaceholder()
{
    m_image->lineEdit()->setPlaceholderText(
            tr("e.g. %1 or node:20").arg(QStringLiteral(PARALLAX_DEMO_IMAGE)));
    m_image->setToolTip(tr("The Docker image every variation runs, unless a variation names its "
                           "own. Pick a local image or type any name a registry has."));
}

QString LaunchPanel::areaFor(const QString &field) const
{
    if (field.isEmpty())
        return {};
    if (field.startsWith(QLatin1String("variations")))
        return QStringLiteral("variations");
    if (field.startsWith(QLatin1String("repo")))
        return field.startsWith(QLatin1String("repo.ref")) ? QStringLiteral("repo.ref")
                                                           : QStringLiteral("repo.url");
    if (field.startsWith(QLatin1String("limits."))) {
        const QString limit = field.section(QLatin1Char('.'), 0, 1);
        return m_errors.contains(limit) ? limit : QString();
    }
    static const QRegularExpression separator(QStringLiteral("[.\\[]"));
    const QString head = field.section(separator, 0, 0);
    return m_errors.contains(head) ? head : QString();
}

bool LaunchPanel::event(QEvent *event)
{
    // Ctrl+Enter must work in every field, the multi-line prompt included. Claiming the key
    // in ShortcutOverride keeps a window-wide shortcut on the same key from stealing it (or
    // making it ambiguous) while the focus is here; the key press then propagates up from the
    // focused field, which ignores it.
    if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && (key->modifiers() & ~Qt::KeypadModifier) == Qt::ControlModifier) {
            key->accept();
            if (event->type() == QEvent::KeyPress && !key->isAutoRepeat()) {
                // A table cell being edited commits on focus loss; do it now, so that the
                // launch sees what was typed.
                if (QWidget *focus = QApplication::focusWidget();
                    focus && focus != m_table && m_table->isAncestorOf(focus))
                    m_table->setFocus(Qt::OtherFocusReason);
                emit launchRequested();
            }
            return true;
        }
    }
    return QWidget::event(event);
}

} // namespace Parallax
