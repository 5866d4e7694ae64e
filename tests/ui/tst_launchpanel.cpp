#include "engineselector.h"
#include "launchpanel.h"
#include "mainwindow.h"
#include "presets.h"
#include "pulldialog.h"
#include "variationtablemodel.h"

#include "docker/dockermonitor.h"
#include "docker/imagepull.h"
#include "docker/syncwait.h"
#include "run/runspec.h"
#include "testregistry.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Parallax;

namespace {

QString describe(const QList<SpecProblem> &problems)
{
    QStringList lines;
    for (const SpecProblem &problem : problems)
        lines.append(problem.toString());
    return lines.join(QLatin1Char('\n'));
}

RunSpec parse(const QByteArray &json)
{
    QList<SpecProblem> problems;
    Result<RunSpec> spec = RunSpec::fromJson(json, &problems);
    if (!spec)
        qWarning().noquote() << "test spec does not parse:" << describe(problems);
    return spec ? *spec : RunSpec();
}

QString specSourceDir()
{
    const QByteArray source = qgetenv("PARALLAX_SOURCE_DIR");
    if (!source.isEmpty())
        return QDir(QString::fromLocal8Bit(source)).filePath(QStringLiteral("resources/specs"));
    return QFINDTESTDATA("../../resources/specs");
}

// Lets nested layouts finish: one layout request can post another (word-wrapped labels).
void settle()
{
    QTest::qWait(50);
}

QByteArray canonical(const RunSpec &spec)
{
    return QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact);
}

template<typename T>
T *child(const QWidget &parent, const QString &name)
{
    T *widget = parent.findChild<T *>(name);
    if (!widget)
        qFatal("no child %s", qPrintable(name));
    return widget;
}

QStringList rowNames(const VariationTableModel *model)
{
    QStringList names;
    for (int row = 0; row < model->rowCount(); ++row)
        names.append(model->index(row, VariationTableModel::NameColumn).data().toString());
    return names;
}

const QStringList DemoPresets = {
        QStringLiteral("demo-session"),
        QStringLiteral("demo-count"),
        QStringLiteral("demo-flood"),
        QStringLiteral("demo-longline"),
        QStringLiteral("demo-exit-code"),
        QStringLiteral("demo-stderr"),
};

const QStringList TemplatePresets = {
        QStringLiteral("claude-code"),
        QStringLiteral("codex-cli"),
        QStringLiteral("aider"),
        QStringLiteral("gemini-cli"),
};

} // namespace

class TestLaunchPanel : public QObject
{
    Q_OBJECT

private slots:
    void secretsHintKnowsTheKeychainNames();
    void presetsLoad();
    void presetsAreSafe_data();
    void presetsAreSafe();
    void presetFillsForm_data();
    void presetFillsForm();

    void roundTrip_data();
    void roundTrip();
    void countAndTableStayConsistent();
    void duplicateAndRemoveRows();
    void badMemoryShowsErrorUnderField();
    void problemsGoToTheirFields();
    void duplicateVariationNameMarksRow();
    void loadAndSaveFile();
    void loadFileFailureKeepsForm();
    void modifiedTracking();
    void ctrlEnterLaunches_data();
    void ctrlEnterLaunches();
    void setImagesKeepsTypedText();
    void pullButtonForMissingImage();
    void pullDialogCancelAndRetry();
    void engineSelectorSwitchesMonitor();

    void modelTester();
    void moveRows();
    void envText_data();
    void envText();
    void envTextRejects_data();
    void envTextRejects();
    void commandText_data();
    void commandText();

    void agentPresetsShowTheirImage_data();
    void agentPresetsShowTheirImage();
    void networkCombo();
    void missingSecretStopsLaunch();
    void screenshot();
};

// A secret stored in Secrets… (its name is in the keychain's name list) is not reported as
// missing; one neither there nor in the environment is.
void TestLaunchPanel::secretsHintKnowsTheKeychainNames()
{
    QSettings().setValue(QStringLiteral("secrets/names"), QStringList{"PX_HINT_IN_KEYCHAIN"});
    LaunchPanel panel;
    const Result<RunSpec> spec = RunSpec::fromJson(
            R"({"image":"x","secrets":["PX_HINT_IN_KEYCHAIN","PX_HINT_NOWHERE"]})");
    QVERIFY2(spec, qPrintable(spec.errorString()));
    panel.setSpec(*spec);
    const QString hint = child<QLabel>(panel, QStringLiteral("secretsHint"))->text();
    QSettings().remove(QStringLiteral("secrets/names"));
    QVERIFY2(hint.contains(QStringLiteral("Secrets")), qPrintable(hint));
    const QString warning = hint.mid(hint.indexOf(QStringLiteral("<br>")));
    QVERIFY2(warning.contains(QStringLiteral("PX_HINT_NOWHERE")), qPrintable(hint));
    QVERIFY2(!warning.contains(QStringLiteral("PX_HINT_IN_KEYCHAIN")), qPrintable(hint));
}

void TestLaunchPanel::presetsLoad()
{
    const Presets presets;
    QVERIFY2(presets.errors().isEmpty(), qPrintable(presets.errors().join(QLatin1Char('\n'))));
    QStringList ids;
    for (const Preset &preset : presets.all())
        ids.append(preset.id);
    QCOMPARE(ids, DemoPresets + TemplatePresets); // sorted by "order"
    for (const Preset &preset : presets.all()) {
        QVERIFY(!preset.title.isEmpty());
        QVERIFY2(!preset.description.isEmpty(), qPrintable(preset.id));
        QVERIFY2(!preset.notes.isEmpty(), qPrintable(preset.id));
        QList<SpecProblem> problems;
        const Result<RunSpec> spec = preset.runSpec(&problems);
        QVERIFY2(spec.ok(), qPrintable(preset.id + QLatin1String(": ") + describe(problems)));
    }
    QCOMPARE(presets.byId(QStringLiteral("demo-count")).title, QStringLiteral("Demo agent: count"));
    QVERIFY(!presets.byId(QStringLiteral("no-such-preset")).isValid());
}

void TestLaunchPanel::presetsAreSafe_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("mode");   // DEMO_MODE, for the demo presets
    QTest::addColumn<QString>("secret"); // a secret the template must list
    QTest::addRow("demo-session") << "demo-session"
                                  << "session" << QString();
    QTest::addRow("demo-count") << "demo-count"
                                << "count" << QString();
    QTest::addRow("demo-flood") << "demo-flood"
                                << "flood" << QString();
    QTest::addRow("demo-longline") << "demo-longline"
                                   << "longline" << QString();
    QTest::addRow("demo-exit-code") << "demo-exit-code"
                                    << "exit" << QString();
    QTest::addRow("demo-stderr") << "demo-stderr"
                                 << "stderr" << QString();
    QTest::addRow("claude-code") << "claude-code" << QString() << "ANTHROPIC_API_KEY";
    QTest::addRow("codex-cli") << "codex-cli" << QString() << "OPENAI_API_KEY";
    QTest::addRow("aider") << "aider" << QString() << "OPENAI_API_KEY";
    QTest::addRow("gemini-cli") << "gemini-cli" << QString() << "GEMINI_API_KEY";
}

void TestLaunchPanel::presetsAreSafe()
{
    QFETCH(QString, id);
    QFETCH(QString, mode);
    QFETCH(QString, secret);
    const Preset preset = Presets().byId(id);
    QVERIFY(preset.isValid());
    const RunSpec spec = *preset.runSpec();
    if (!mode.isEmpty()) {
        // The demo presets run as they are, on the image this build makes.
        QVERIFY(!preset.needsImage());
        QCOMPARE(spec.image, QStringLiteral(PARALLAX_DEMO_IMAGE));
        for (const ResolvedVariation &variation : spec.resolvedVariations())
            QCOMPARE(variation.env.value(QStringLiteral("DEMO_MODE")), mode);
        QVERIFY(spec.secrets.isEmpty());
    } else if (preset.agent) {
        // Agent presets run in the image Parallax builds for them (docs/agents.md).
        QVERIFY(!preset.needsImage());
        QCOMPARE(preset.agent->name, id);
        QVERIFY(spec.image.startsWith(QStringLiteral("parallax/agent-") + id + u':'));
        QCOMPARE(spec.image, preset.agentTag());
        QVERIFY(preset.notes.contains(QLatin1String("docs/agents.md")));
        QVERIFY(preset.notes.contains(secret));
        QVERIFY(spec.secrets.contains(secret));
        QCOMPARE(spec.workdir, QStringLiteral("/workspace"));
    } else {
        QVERIFY(preset.needsImage());
        QVERIFY(!preset.imagePlaceholder.isEmpty());
        QVERIFY(preset.notes.contains(QLatin1String("image")));
        QVERIFY(preset.notes.contains(QLatin1String("PARALLAX_PROMPT")));
        QVERIFY(spec.secrets.contains(secret));
    }
    // The prompt reaches an agent as $PARALLAX_PROMPT, never spliced into a shell line.
    for (const ResolvedVariation &variation : spec.resolvedVariations()) {
        if (!variation.command.isEmpty()) {
            const QString program = variation.command.first();
            QVERIFY2(program != QLatin1String("sh") && program != QLatin1String("bash"),
                     qPrintable(variation.command.join(QLatin1Char(' '))));
        }
        for (const QString &argument : variation.command)
            QVERIFY(!argument.contains(QLatin1String("PARALLAX_PROMPT")));
    }
}

void TestLaunchPanel::presetFillsForm_data()
{
    QTest::addColumn<QString>("id");
    for (const QString &id : DemoPresets + TemplatePresets)
        QTest::addRow("%s", qPrintable(id)) << id;
}

void TestLaunchPanel::presetFillsForm()
{
    QFETCH(QString, id);
    LaunchPanel panel;
    QSignalSpy modified(&panel, &LaunchPanel::modifiedChanged);
    QVERIFY(panel.applyPreset(id));
    const Preset preset = panel.presets().byId(id);
    QCOMPARE(child<QComboBox>(panel, QStringLiteral("presetCombo"))->currentData().toString(), id);
    QCOMPARE(child<QLabel>(panel, QStringLiteral("presetDescription"))->text(), preset.description);
    QVERIFY(!panel.isModified());
    QVERIFY(panel.currentFile().isEmpty());

    auto *image = child<QComboBox>(panel, QStringLiteral("imageCombo"));
    if (preset.needsImage()) {
        // The template leaves the image to the user, and says what kind of name goes there.
        QVERIFY(image->currentText().isEmpty());
        QVERIFY(image->lineEdit()->placeholderText().contains(preset.imagePlaceholder));
        QVERIFY(!panel.spec().ok());
        QVERIFY(!panel.validate());
        QVERIFY(child<QLabel>(panel, QStringLiteral("error_image"))
                        ->text()
                        .contains(QLatin1String("required")));
        image->setEditText(preset.imagePlaceholder);
    }
    QList<SpecProblem> problems;
    const Result<RunSpec> spec = panel.spec(&problems);
    QVERIFY2(spec.ok(), qPrintable(describe(problems)));
    QCOMPARE(canonical(*spec), canonical(*preset.runSpec()));
    QVERIFY(panel.validate());
}

void TestLaunchPanel::roundTrip_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("minimal") << QByteArray(R"({"image": "alpine:3"})");
    QTest::addRow("count") << QByteArray(R"({"image": "alpine:3", "variations": 5})");
    QTest::addRow("count of one") << QByteArray(R"({"image": "alpine:3", "variations": 1})");
    QTest::addRow("plain list") << QByteArray(
            R"({"image": "a", "variations": [{"name": "v1"}, {"name": "v2"}]})");
    QTest::addRow("everything") << QByteArray(R"({
        "name": "full",
        "image": "ghcr.io/org/agent:1.2",
        "command": ["sh", "-c", "echo \"a, b\" && ls  -la", "", "x\"y", "\"lead"],
        "workdir": "/workspace",
        "env": {"A": "1", "COMMA": "x, y", "QUOTE": "\"q\"", "SPACE": " padded ",
                "EMPTY": "", "SLASH": "a\\b", "NL": "line1\nline2", "EQ": "k=v"},
        "secrets": ["API_KEY", "OTHER_KEY"],
        "prompt": "Line one\n  indented line two\n\n$(not a command) 'quoted' \"double\"",
        "repo": {"url": "https://example.com/r.git", "ref": "feature/x"},
        "tty": true,
        "limits": {"memory": "1536m", "cpus": 0.333, "pids": 100, "timeout": "1h30m"},
        "keep_containers": true,
        "variations": [
            {"name": "fast", "env": {"MODEL": "m1", "LIST": "a,b,c"}},
            {"name": "plain", "command": []},
            {"name": "other", "image": "agent:next", "command": ["make", "test target"]}
        ]
    })");
    QTest::addRow("repo without ref")
            << QByteArray(R"({"image": "a", "repo": {"url": "https://example.com/r.git"}})");

    const QDir specs(specSourceDir());
    for (const QString &file : specs.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        QFile f(specs.filePath(file));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTest::addRow("%s", qPrintable(file)) << f.readAll();
    }
}

void TestLaunchPanel::roundTrip()
{
    QFETCH(QByteArray, json);
    QList<SpecProblem> problems;
    const Result<RunSpec> original = RunSpec::fromJson(json, &problems);
    QVERIFY2(original.ok(), qPrintable(describe(problems)));

    LaunchPanel panel;
    panel.setSpec(*original);
    QVERIFY(!panel.isModified());
    const Result<RunSpec> back = panel.spec(&problems);
    QVERIFY2(back.ok(), qPrintable(describe(problems)));
    // "everything" has an empty command argument, which a shell-like line cannot spell;
    // QProcess::splitCommand drops it. Everything else survives exactly.
    RunSpec expected = *original;
    expected.command.removeAll(QString());
    QCOMPARE(QString::fromUtf8(canonical(*back)), QString::fromUtf8(canonical(expected)));
}

void TestLaunchPanel::countAndTableStayConsistent()
{
    LaunchPanel panel;
    VariationTableModel *model = panel.variationModel();
    auto *count = child<QSpinBox>(panel, QStringLiteral("countSpin"));
    QCOMPARE(count->minimum(), 1);
    QCOMPARE(count->maximum(), 64);

    panel.setSpec(parse(R"({"image": "alpine:3", "variations": 3})"));
    QCOMPARE(count->value(), 3);
    QCOMPARE(rowNames(model), QStringList({"v1", "v2", "v3"}));

    count->setValue(5);
    QCOMPARE(rowNames(model), QStringList({"v1", "v2", "v3", "v4", "v5"}));
    QVERIFY(panel.isModified());
    count->setValue(2);
    QCOMPARE(rowNames(model), QStringList({"v1", "v2"}));
    QCOMPARE(panel.spec()->toJson().value(QLatin1String("variations")).toInt(), 2);

    // Editing the table moves the count.
    child<QPushButton>(panel, QStringLiteral("addVariationButton"))->click();
    QCOMPARE(count->value(), 3);
    QCOMPARE(rowNames(model), QStringList({"v1", "v2", "v3"}));
    QVERIFY(model->setData(model->index(0, VariationTableModel::NameColumn), "fast"));
    model->addRow();
    QCOMPARE(count->value(), 4);
    QCOMPARE(rowNames(model), QStringList({"fast", "v2", "v3", "v4"}));
    model->removeRows(1, 2);
    QCOMPARE(count->value(), 2);
    QCOMPARE(rowNames(model), QStringList({"fast", "v4"}));

    // Named rows are kept when the count grows, and new ones get free names.
    count->setValue(4);
    QCOMPARE(rowNames(model), QStringList({"fast", "v4", "v3", "v5"}));
    const RunSpec spec = *panel.spec();
    QCOMPARE(spec.variations.size(), 4);
    QCOMPARE(spec.variations.first().name, QStringLiteral("fast"));

    // A list of named variations, loaded, shows as rows with the right count.
    panel.setSpec(parse(R"({"image": "a", "variations": [{"name": "x"}, {"name": "y"}]})"));
    QCOMPARE(count->value(), 2);
    QCOMPARE(rowNames(model), QStringList({"x", "y"}));

    // The table cannot grow past the maximum.
    count->setValue(64);
    QCOMPARE(model->rowCount(), 64);
    QCOMPARE(model->addRow(), -1);
    QVERIFY(!child<QPushButton>(panel, QStringLiteral("addVariationButton"))->isEnabled());
    QCOMPARE(model->duplicateRow(0), -1);
}

void TestLaunchPanel::duplicateAndRemoveRows()
{
    LaunchPanel panel;
    panel.setSpec(parse(R"({"image": "a", "variations": [
        {"name": "fast", "env": {"MODEL": "m1"}, "command": ["run", "it"]},
        {"name": "slow"}]})"));
    VariationTableModel *model = panel.variationModel();
    auto *table = child<QTableView>(panel, QStringLiteral("variationTable"));
    auto *count = child<QSpinBox>(panel, QStringLiteral("countSpin"));
    auto *duplicate = child<QPushButton>(panel, QStringLiteral("duplicateVariationButton"));
    auto *remove = child<QPushButton>(panel, QStringLiteral("removeVariationsButton"));

    QVERIFY(!duplicate->isEnabled()); // nothing is current yet
    table->setCurrentIndex(model->index(0, 0));
    QVERIFY(duplicate->isEnabled());
    duplicate->click();
    QCOMPARE(rowNames(model), QStringList({"fast", "fast-2", "slow"}));
    QCOMPARE(count->value(), 3);
    QCOMPARE(table->currentIndex().row(), 1);
    // The copy has the same overrides.
    const QList<VariationSpec> variations = model->variations();
    QCOMPARE(variations.at(1).env, variations.at(0).env);
    QCOMPARE(variations.at(1).command, variations.at(0).command);
    // Duplicating a numbered copy counts on instead of stacking suffixes.
    duplicate->click();
    QCOMPARE(rowNames(model), QStringList({"fast", "fast-2", "fast-3", "slow"}));
    // Names are unique ignoring case, as the spec requires.
    QVERIFY(model->setData(model->index(3, 0), "FAST-4"));
    QCOMPARE(model->duplicateRow(0), 1);
    QCOMPARE(rowNames(model), QStringList({"fast", "fast-5", "fast-2", "fast-3", "FAST-4"}));
    QVERIFY(panel.spec().ok());

    table->clearSelection();
    table->selectionModel()->select(model->index(1, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    table->selectionModel()->select(model->index(3, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QVERIFY(remove->isEnabled());
    remove->click();
    QCOMPARE(rowNames(model), QStringList({"fast", "fast-2", "FAST-4"}));
    QCOMPARE(count->value(), 3);

    // The last variation cannot be removed.
    table->selectAll();
    QVERIFY(!remove->isEnabled());
    model->removeRows(1, 2);
    table->selectAll();
    QVERIFY(!remove->isEnabled());
    QCOMPARE(count->value(), 1);
}

void TestLaunchPanel::badMemoryShowsErrorUnderField()
{
    LaunchPanel panel;
    QVERIFY(panel.applyPreset(QStringLiteral("demo-count")));
    auto *memory = child<QLineEdit>(panel, QStringLiteral("memoryEdit"));
    auto *error = child<QLabel>(panel, QStringLiteral("error_limits.memory"));
    QVERIFY(error->isHidden());

    memory->setText(QStringLiteral("2 gigs"));
    QList<SpecProblem> problems;
    QVERIFY(!panel.spec(&problems).ok());
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().field, QStringLiteral("limits.memory"));
    QVERIFY(!panel.validate());
    QVERIFY(!error->isHidden());
    QVERIFY2(error->text().contains(QLatin1String("not a size")), qPrintable(error->text()));
    // It sits right under the memory field.
    QCOMPARE(error->parentWidget(), memory->parentWidget());
    QVERIFY(child<QLabel>(panel, QStringLiteral("statusLabel"))
                    ->text()
                    .contains(QLatin1String("1 problem")));
    // Other fields show nothing.
    QVERIFY(child<QLabel>(panel, QStringLiteral("error_image"))->isHidden());
    QVERIFY(child<QLabel>(panel, QStringLiteral("error_limits.timeout"))->isHidden());

    // Editing the field takes its message away; a good value validates.
    memory->setText(QStringLiteral("2g"));
    QVERIFY(error->isHidden());
    QVERIFY(panel.validate());
    QCOMPARE(panel.spec()->limits.memoryBytes, qint64(2) * 1024 * 1024 * 1024);
    memory->setText(QStringLiteral("2 gigs"));
    QVERIFY(!panel.validate());
    QVERIFY(!error->isHidden());
    memory->clear();
    QVERIFY(panel.validate());
    QVERIFY(error->isHidden());
}

void TestLaunchPanel::problemsGoToTheirFields()
{
    LaunchPanel panel;
    QVERIFY(panel.applyPreset(QStringLiteral("demo-count")));
    child<QComboBox>(panel, QStringLiteral("imageCombo"))->setEditText(QStringLiteral("node 20"));
    child<QLineEdit>(panel, QStringLiteral("envEdit"))->setText(QStringLiteral("MY-VAR=1"));
    child<QLineEdit>(panel, QStringLiteral("workdirEdit"))->setText(QStringLiteral("src"));
    child<QLineEdit>(panel, QStringLiteral("secretsEdit"))->setText(QStringLiteral("KEY, KEY"));
    child<QLineEdit>(panel, QStringLiteral("repoRefEdit"))->setText(QStringLiteral("main"));
    child<QLineEdit>(panel, QStringLiteral("cpusEdit"))->setText(QStringLiteral("lots"));
    child<QLineEdit>(panel, QStringLiteral("pidsEdit"))->setText(QStringLiteral("many"));
    child<QLineEdit>(panel, QStringLiteral("timeoutEdit"))->setText(QStringLiteral("5 minutes"));
    QVERIFY(!panel.validate());

    const QList<QPair<QString, QString>> expected = {
            {QStringLiteral("error_image"),
             QStringLiteral("\"node 20\" is not a valid image name")},
            {QStringLiteral("error_env"),
             QStringLiteral("\"MY-VAR\" is not a valid variable name")},
            {QStringLiteral("error_workdir"), QStringLiteral("\"src\" is not an absolute path")},
            {QStringLiteral("error_secrets"), QStringLiteral("duplicate secret \"KEY\"")},
            {QStringLiteral("error_repo.url"), QStringLiteral("required")},
            {QStringLiteral("error_limits.cpus"),
             QStringLiteral("'lots' is not a number like 1.5")},
            {QStringLiteral("error_limits.pids"), QStringLiteral("'many' is not a whole number")},
            {QStringLiteral("error_limits.timeout"),
             QStringLiteral("'5 minutes' is not a duration like 90s or 30m")},
    };
    for (const auto &[name, text] : expected) {
        auto *label = child<QLabel>(panel, name);
        QVERIFY2(!label->isHidden(), qPrintable(name));
        QVERIFY2(label->text().contains(text),
                 qPrintable(name + QLatin1String(": ") + label->text()));
    }
    QVERIFY(child<QLabel>(panel, QStringLiteral("error_limits.memory"))->isHidden());

    // A malformed environment line is the form's own problem, reported the same way.
    child<QLineEdit>(panel, QStringLiteral("envEdit"))->setText(QStringLiteral("A=1, JUSTAWORD"));
    QVERIFY(!panel.validate());
    QVERIFY(child<QLabel>(panel, QStringLiteral("error_env"))
                    ->text()
                    .contains(QLatin1String("'JUSTAWORD' is not KEY=value")));
}

void TestLaunchPanel::duplicateVariationNameMarksRow()
{
    LaunchPanel panel;
    panel.setSpec(parse(
            R"({"image": "a", "variations": [{"name": "fast"}, {"name": "slow"}, {"name": "x"}]})"));
    VariationTableModel *model = panel.variationModel();
    auto *table = child<QTableView>(panel, QStringLiteral("variationTable"));
    QVERIFY(model->setData(model->index(2, VariationTableModel::NameColumn), "Fast"));
    QVERIFY(model->setData(model->index(1, VariationTableModel::EnvColumn), "OOPS"));

    QList<SpecProblem> problems;
    QVERIFY(!panel.spec(&problems).ok());
    QVERIFY(!panel.validate());
    QVERIFY(model->rowProblem(0).isEmpty());
    QVERIFY(model->rowProblem(1).contains(QLatin1String("not KEY=value")));
    QVERIFY2(model->rowProblem(2).contains(QLatin1String("duplicate variation name \"Fast\"")),
             qPrintable(model->rowProblem(2)));
    QVERIFY(model->index(2, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(model->index(2, 0)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("duplicate")));
    QVERIFY(!model->index(0, 0).data(Qt::BackgroundRole).isValid());
    // The first row with a problem is selected; the label under the table says which rows.
    QVERIFY(table->selectionModel()->isRowSelected(1, QModelIndex()));
    auto *error = child<QLabel>(panel, QStringLiteral("error_variations"));
    QVERIFY(!error->isHidden());
    QVERIFY2(error->text().contains(QLatin1String("Row 3 (Fast)")), qPrintable(error->text()));
    QVERIFY(error->text().contains(QLatin1String("Row 2 (slow), env:")));

    // Fixing the name takes the mark away from that row.
    QVERIFY(model->setData(model->index(2, VariationTableModel::NameColumn), "medium"));
    QVERIFY(model->rowProblem(2).isEmpty());
    QVERIFY(model->setData(model->index(1, VariationTableModel::EnvColumn), "OK=1"));
    QVERIFY(panel.validate());
    QVERIFY(error->isHidden());
    QCOMPARE(panel.spec()->variations.at(1).env.value(QStringLiteral("OK")), QStringLiteral("1"));
}

void TestLaunchPanel::loadAndSaveFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString source = dir.filePath(QStringLiteral("source.json"));
    const QByteArray json = R"({
        "name": "from-file", "image": "alpine:3", "command": ["echo", "hello world"],
        "env": {"MODE": "x"}, "limits": {"memory": "512MB", "timeout": "90s"},
        "variations": [{"name": "a"}, {"name": "b", "env": {"MODE": "y"}}]})";
    {
        QFile file(source);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
    }

    LaunchPanel panel;
    QSignalSpy fileChanged(&panel, &LaunchPanel::currentFileChanged);
    const Result<void> loaded = panel.loadFile(source);
    QVERIFY2(loaded.ok(), qPrintable(loaded.errorString()));
    QCOMPARE(panel.currentFile(), QFileInfo(source).absoluteFilePath());
    QCOMPARE(fileChanged.size(), 1);
    QVERIFY(!panel.isModified());
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("nameEdit"))->text(),
             QStringLiteral("from-file"));
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("memoryEdit"))->text(), QStringLiteral("512m"));
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("commandEdit"))->text(),
             QStringLiteral("echo \"hello world\""));
    QCOMPARE(canonical(*panel.spec()), canonical(*RunSpec::fromFile(source)));

    child<QLineEdit>(panel, QStringLiteral("nameEdit"))->setText(QStringLiteral("edited"));
    QVERIFY(panel.isModified());
    const QString target = dir.filePath(QStringLiteral("saved.json"));
    const Result<void> saved = panel.saveFile(target);
    QVERIFY2(saved.ok(), qPrintable(saved.errorString()));
    QVERIFY(!panel.isModified());
    QCOMPARE(panel.currentFile(), QFileInfo(target).absoluteFilePath());
    QFile file(target);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QCOMPARE(written, panel.spec()->toJsonBytes()); // canonical form

    LaunchPanel other;
    QVERIFY(other.loadFile(target).ok());
    QCOMPARE(canonical(*other.spec()), canonical(*panel.spec()));
    QCOMPARE(other.spec()->name, QStringLiteral("edited"));

    // A form with problems is not saved.
    child<QLineEdit>(panel, QStringLiteral("memoryEdit"))->setText(QStringLiteral("2 gigs"));
    const Result<void> refused = panel.saveFile(target);
    QVERIFY(!refused.ok());
    QVERIFY(refused.errorString().contains(QLatin1String("not a size")));
    QVERIFY(panel.isModified());
    QVERIFY(!child<QLabel>(panel, QStringLiteral("error_limits.memory"))->isHidden());
}

void TestLaunchPanel::loadFileFailureKeepsForm()
{
    QTemporaryDir dir;
    LaunchPanel panel;
    QVERIFY(panel.applyPreset(QStringLiteral("demo-session")));
    const QByteArray before = canonical(*panel.spec());

    const Result<void> missing = panel.loadFile(dir.filePath(QStringLiteral("nope.json")));
    QVERIFY(!missing.ok());
    QVERIFY(missing.errorString().startsWith(QLatin1String("cannot read")));

    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"imagee": "x", "limits": {"memory": "2 gigs"}})");
    file.close();
    const Result<void> invalid = panel.loadFile(bad);
    QVERIFY(!invalid.ok());
    QVERIFY(invalid.errorString().contains(QLatin1String("did you mean \"image\"")));
    QVERIFY(invalid.errorString().contains(QLatin1String("limits.memory: '2 gigs' is not a size")));

    QCOMPARE(canonical(*panel.spec()), before);
    QVERIFY(panel.currentFile().isEmpty());
}

void TestLaunchPanel::modifiedTracking()
{
    LaunchPanel panel;
    QSignalSpy spy(&panel, &LaunchPanel::modifiedChanged);
    QVERIFY(panel.applyPreset(QStringLiteral("demo-count")));
    QVERIFY(!panel.isModified());
    QCOMPARE(spy.size(), 0);

    child<QPlainTextEdit>(panel, QStringLiteral("promptEdit"))->setPlainText(QStringLiteral("go"));
    QVERIFY(panel.isModified());
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.first().first().toBool(), true);
    child<QLineEdit>(panel, QStringLiteral("cpusEdit"))->setText(QStringLiteral("1"));
    QCOMPARE(spy.size(), 1); // only changes of state are signalled

    panel.setSpec(parse(R"({"image": "a"})"));
    QVERIFY(!panel.isModified());
    QCOMPARE(spy.size(), 2);

    VariationTableModel *model = panel.variationModel();
    QVERIFY(model->setData(model->index(0, VariationTableModel::EnvColumn), "A=1"));
    QVERIFY(panel.isModified());
    panel.setModified(false);
    QCOMPARE(spy.last().first().toBool(), false);
    child<QCheckBox>(panel, QStringLiteral("ttyCheck"))->setChecked(true);
    QVERIFY(panel.isModified());
    QVERIFY(panel.spec()->tty);
}

void TestLaunchPanel::ctrlEnterLaunches_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("key");
    QTest::addRow("prompt, Return") << "promptEdit" << int(Qt::Key_Return);
    QTest::addRow("prompt, Enter") << "promptEdit" << int(Qt::Key_Enter);
    QTest::addRow("name, Return") << "nameEdit" << int(Qt::Key_Return);
    QTest::addRow("memory, Enter") << "memoryEdit" << int(Qt::Key_Enter);
    QTest::addRow("count, Return") << "countSpin" << int(Qt::Key_Return);
    QTest::addRow("table, Return") << "variationTable" << int(Qt::Key_Return);
}

void TestLaunchPanel::ctrlEnterLaunches()
{
    QFETCH(QString, field);
    QFETCH(int, key);
    LaunchPanel panel;
    QVERIFY(panel.applyPreset(QStringLiteral("demo-session")));
    panel.resize(520, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy launched(&panel, &LaunchPanel::launchRequested);

    auto *widget = child<QWidget>(panel, field);
    widget->setFocus();
    auto *prompt = child<QPlainTextEdit>(panel, QStringLiteral("promptEdit"));
    const QString promptBefore = prompt->toPlainText();
    QTest::keyClick(widget, Qt::Key(key), Qt::ControlModifier);
    QCOMPARE(launched.size(), 1);
    QCOMPARE(prompt->toPlainText(), promptBefore); // no newline was typed

    // Plain Return still types a new line in the prompt and launches nothing.
    QTest::keyClick(prompt, Qt::Key_Return);
    QCOMPARE(launched.size(), 1);

    child<QPushButton>(panel, QStringLiteral("launchButton"))->click();
    QCOMPARE(launched.size(), 2);
}

void TestLaunchPanel::setImagesKeepsTypedText()
{
    LaunchPanel panel;
    QSignalSpy refresh(&panel, &LaunchPanel::imagesRefreshRequested);
    auto *image = child<QComboBox>(panel, QStringLiteral("imageCombo"));
    image->setEditText(QStringLiteral("my/own:tag"));
    panel.setModified(false);

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    panel.setImages({
            ImageSummary{QStringLiteral("sha256:1"),
                         {QStringLiteral("zeta:1"), QStringLiteral("alpha:2")},
                         2'500'000,
                         now - 3 * 86400},
            ImageSummary{QStringLiteral("sha256:2"), {QStringLiteral("<none>:<none>")}, 1, now},
            ImageSummary{QStringLiteral("sha256:3"),
                         {QStringLiteral(PARALLAX_DEMO_IMAGE)},
                         2'000'000,
                         now - 7200},
    });
    QCOMPARE(image->count(), 3);
    QCOMPARE(image->itemText(0), QStringLiteral("alpha:2"));
    QCOMPARE(image->itemText(2), QStringLiteral("zeta:1"));
    QVERIFY(image->itemData(0, Qt::ToolTipRole).toString().contains(QLatin1String("3 days ago")));
    QVERIFY(image->itemData(1, Qt::ToolTipRole).toString().contains(QLatin1String("2 hours ago")));
    QVERIFY(image->itemData(0, Qt::ToolTipRole).toString().contains(QLatin1String("2.5 MB")));
    QCOMPARE(image->currentText(), QStringLiteral("my/own:tag"));
    QVERIFY(!panel.isModified());

    image->setCurrentIndex(1);
    QCOMPARE(panel.spec()->image, QStringLiteral(PARALLAX_DEMO_IMAGE));

    child<QToolButton>(panel, QStringLiteral("refreshImagesButton"))->click();
    QCOMPARE(refresh.size(), 1);
}

void TestLaunchPanel::pullButtonForMissingImage()
{
    LaunchPanel panel;
    QSignalSpy pull(&panel, &LaunchPanel::pullRequested);
    auto *image = child<QComboBox>(panel, QStringLiteral("imageCombo"));
    auto *button = child<QToolButton>(panel, QStringLiteral("pullImageButton"));
    // Before the list is known nothing is "missing".
    image->setEditText(QStringLiteral("node:20"));
    QVERIFY(button->isHidden());
    QCOMPARE(panel.missingImage(), QString());

    panel.setImages({ImageSummary{QStringLiteral("sha256:1"),
                                  {QStringLiteral("busybox:latest"),
                                   QStringLiteral("localhost/parallax/demo-agent:0.1.0"),
                                   QStringLiteral("docker.io/library/alpine:3.19")},
                                  1000,
                                  0}});
    QVERIFY(!button->isHidden());
    QCOMPARE(panel.missingImage(), QStringLiteral("node:20"));
    QVERIFY(button->toolTip().contains(QLatin1String("node:20")));
    button->click();
    QCOMPARE(pull.size(), 1);
    QCOMPARE(pull.first().first().toString(), QStringLiteral("node:20"));

    for (const char *local : {"busybox",
                              "busybox:latest",
                              "parallax/demo-agent:0.1.0",
                              "localhost/parallax/demo-agent:0.1.0",
                              "alpine:3.19",
                              "docker.io/library/alpine:3.19"}) {
        image->setEditText(QString::fromLatin1(local));
        QVERIFY2(button->isHidden(), local);
        QVERIFY2(panel.isLocalImage(QString::fromLatin1(local)), local);
    }
    for (const char *missing : {"busybox:1.36", "alpine", "parallax/demo-agent:0.2.0"}) {
        image->setEditText(QString::fromLatin1(missing));
        QVERIFY2(!button->isHidden(), missing);
    }
    image->setEditText(QString());
    QVERIFY(button->isHidden());
}

// The whole pull flow in the window: the panel's Pull button for an image only a registry has,
// the dialog's per-layer bars, Cancel (no error shown, nothing pulled, the panel still offers
// Pull), Retry to completion, and the image list refreshed so Pull goes away. Against the real
// daemon and Debian's docker-registry on loopback, slowed by a proxy so Cancel lands mid-pull.
void TestLaunchPanel::pullDialogCancelAndRetry()
{
    using namespace Parallax::RegistryTest;
    if (Registry::binary().isEmpty())
        QSKIP("docker-registry is not installed (apt-get install docker-registry)");
    QStandardPaths::setTestModeEnabled(true); // the window's history database
    QSettings().remove(QLatin1String(EngineSelector::kSettingsKey));
    MainWindow window;
    DockerMonitor *monitor = window.dockerMonitor();
    QVERIFY(monitor->client());
    QTRY_VERIFY_WITH_TIMEOUT(monitor->health() != DockerMonitor::Health::Unknown, 15000);
    if (monitor->health() != DockerMonitor::Health::Healthy)
        QSKIP(qPrintable(QStringLiteral("Docker does not answer: %1").arg(monitor->message())));

    Registry registry;
    QString error = registry.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = registry.pushRandomImage(
            QStringLiteral("parallax-test/ui"), QStringLiteral("1"), 3, 12'000'000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    ThrottlingProxy proxy(registry.port(),
                          qEnvironmentVariableIntValue("PARALLAX_PULL_RATE") > 0
                                  ? qEnvironmentVariableIntValue("PARALLAX_PULL_RATE")
                                  : 6'000'000);
    const QString ref = QStringLiteral("127.0.0.1:%1/parallax-test/ui:1").arg(proxy.port());
    registry.addLocal(ref);

    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *panel = window.findChild<LaunchPanel *>();
    QVERIFY(panel);
    auto *image = child<QComboBox>(*panel, QStringLiteral("imageCombo"));
    auto *button = child<QToolButton>(*panel, QStringLiteral("pullImageButton"));
    // The window lists the local images once Docker answers.
    QTRY_VERIFY_WITH_TIMEOUT(image->count() > 0, 15000);
    image->setEditText(ref);
    QVERIFY(!button->isHidden());
    button->click();
    auto *dialog = window.findChild<PullDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    ImagePull *pull = dialog->pull();
    QCOMPARE(pull->reference(), ref);

    // Per-layer bars appear and move.
    QTRY_VERIFY_WITH_TIMEOUT(pull->progress()->rowCount() == 3, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QList<QProgressBar *> bars = dialog->findChildren<QProgressBar *>();
                int moving = 0;
                for (QProgressBar *bar : bars)
                    moving += bar->objectName().isEmpty() && bar->value() > 0 ? 1 : 0;
                return bars.size() == 4 && moving >= 1;
            }(),
            60000);
    const QString shot = qEnvironmentVariable("PARALLAX_PULL_SCREENSHOT");
    if (!shot.isEmpty()) {
        // Let a few updates land, then photograph the screen (Xvfb) mid-pull.
        QTest::qWait(1500);
        QProcess::execute(QStringLiteral("import"),
                          {QStringLiteral("-window"), QStringLiteral("root"), shot});
    }
    QCOMPARE(pull->state(), ImagePull::State::Pulling);
    child<QPushButton>(*dialog, QStringLiteral("pullCancel"))->click();
    QCOMPARE(pull->state(), ImagePull::State::Cancelled);
    auto *result = child<QLabel>(*dialog, QStringLiteral("pullResult"));
    QVERIFY2(result->text().startsWith(QLatin1String("Pull cancelled.")),
             qPrintable(result->text()));
    QVERIFY(result->styleSheet().isEmpty()); // not shown as an error
    QVERIFY(!child<QPushButton>(*dialog, QStringLiteral("pullRetry"))->isHidden());
    QVERIFY(child<QPushButton>(*dialog, QStringLiteral("pullCancel"))->isHidden());
    // The list is refreshed and the panel still offers the pull.
    QTest::qWait(1000);
    QVERIFY(!button->isHidden());
    QVERIFY(!panel->isLocalImage(ref));

    proxy.setRate(0);
    child<QPushButton>(*dialog, QStringLiteral("pullRetry"))->click();
    QCOMPARE(pull->state(), ImagePull::State::Pulling);
    QTRY_COMPARE_WITH_TIMEOUT(pull->state(), ImagePull::State::Succeeded, 120000);
    QCOMPARE(result->text(), QStringLiteral("%1 is ready.").arg(ref));
    QCOMPARE(child<QProgressBar>(*dialog, QStringLiteral("pullOverall"))->value(), 1000);
    // pullEnded refreshed the window's image list: the image is local, Pull is gone.
    QTRY_VERIFY_WITH_TIMEOUT(panel->isLocalImage(ref), 15000);
    QVERIFY(button->isHidden());
    child<QPushButton>(*dialog, QStringLiteral("pullClose"))->click();
    QTRY_VERIFY(!window.findChild<PullDialog *>()); // deleted on close
    error = registry.removeLocal();
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void TestLaunchPanel::engineSelectorSwitchesMonitor()
{
    // A private HOME with one Docker context that points at a socket that does not exist.
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString meta = home.filePath(
            QStringLiteral(".docker/contexts/meta/%1/meta.json")
                    .arg(QString::fromLatin1(
                            QCryptographicHash::hash("nowhere", QCryptographicHash::Sha256)
                                    .toHex())));
    QVERIFY(QDir().mkpath(QFileInfo(meta).absolutePath()));
    QFile file(meta);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
            R"({"Name":"nowhere","Endpoints":{"docker":{"Host":"unix:///tmp/px-nowhere.sock"}}})");
    file.close();
    const QByteArray oldHome = qgetenv("HOME");
    qputenv("HOME", home.path().toLocal8Bit());
    qunsetenv("DOCKER_HOST");
    qunsetenv("PARALLAX_ENGINE");
    QSettings().remove(QLatin1String(EngineSelector::kSettingsKey));

    DockerMonitor monitor;
    EngineSelector selector(&monitor);
    QCOMPARE(selector.itemData(0).toString(), QString()); // Automatic
    QVERIFY(selector.findData(QStringLiteral("nowhere")) > 0);
    QVERIFY(selector.findData(QStringLiteral("default")) > 0);
    QSignalSpy health(&monitor, &DockerMonitor::healthChanged);
    QVERIFY(selector.choose(QStringLiteral("nowhere")));
    QCOMPARE(monitor.engine(), QStringLiteral("nowhere"));
    QCOMPARE(monitor.client()->endpoint().socketPath, QStringLiteral("/tmp/px-nowhere.sock"));
    QCOMPARE(monitor.endpointText(),
             QStringLiteral("unix:///tmp/px-nowhere.sock (context nowhere)"));
    QTRY_COMPARE_WITH_TIMEOUT(monitor.health(), DockerMonitor::Health::Unreachable, 10000);
    QVERIFY2(monitor.message().contains(QLatin1String("/tmp/px-nowhere.sock")),
             qPrintable(monitor.message()));
    QCOMPARE(QSettings().value(QLatin1String(EngineSelector::kSettingsKey)).toString(),
             QStringLiteral("nowhere"));

    // A new window's selector restores the choice.
    DockerMonitor second;
    EngineSelector restored(&second);
    QCOMPARE(second.engine(), QStringLiteral("nowhere"));
    QCOMPARE(restored.currentData().toString(), QStringLiteral("nowhere"));

    // Back to Automatic.
    QVERIFY(selector.choose(QString()));
    QCOMPARE(monitor.engine(), QString());
    QCOMPARE(QSettings().value(QLatin1String(EngineSelector::kSettingsKey)).toString(), QString());
    qputenv("HOME", oldHome);
}

void TestLaunchPanel::modelTester()
{
    VariationTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.setVariations(parse(R"({"image": "a", "variations": [
        {"name": "fast", "env": {"B": "2", "A": "x, y"}, "command": ["run", "a b"]},
        {"name": "plain", "command": []},
        {"name": "other", "image": "img:2"}]})")
                                .variations);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(VariationTableModel::ColumnCount));
    QCOMPARE(model.index(0, VariationTableModel::EnvColumn).data().toString(),
             QStringLiteral("A=\"x, y\", B=2"));
    QCOMPARE(model.index(0, VariationTableModel::CommandColumn).data().toString(),
             QStringLiteral("run \"a b\""));
    QCOMPARE(model.index(1, VariationTableModel::CommandColumn).data().toString(),
             VariationTableModel::imageDefaultText());
    QCOMPARE(model.index(2, VariationTableModel::ImageColumn).data().toString(),
             QStringLiteral("img:2"));
    QCOMPARE(model.headerData(0, Qt::Horizontal, Qt::DisplayRole).toString(),
             QStringLiteral("Name"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QVERIFY(model.setData(model.index(1, VariationTableModel::EnvColumn), "K=v"));
    QCOMPARE(changed.size(), 1);
    QVERIFY(model.setData(model.index(1, VariationTableModel::EnvColumn), "K=v"));
    QCOMPARE(changed.size(), 1); // no change, no signal
    QVERIFY(!model.setData(model.index(1, 0), "x", Qt::DisplayRole));
    QCOMPARE(model.addRow(), 3);
    QCOMPARE(model.duplicateRow(0), 1);
    QVERIFY(model.insertRows(0, 2));
    QVERIFY(model.removeRows(1, 2));
    QVERIFY(!model.removeRows(4, 3));
    model.resize(8);
    model.resize(2);
    model.addRowProblem(1, QStringLiteral("bad"));
    QCOMPARE(model.index(1, 0).data(VariationTableModel::ProblemRole).toString(),
             QStringLiteral("bad"));
    model.clearProblems();
    QCOMPARE(inserted.size(), 4);
    QCOMPARE(removed.size(), 2);
    QCOMPARE(resets.size(), 1); // never a reset per edit

    const QList<VariationSpec> variations = model.variations();
    QCOMPARE(variations.size(), 2);
}

void TestLaunchPanel::moveRows()
{
    VariationTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setVariations(
            parse(R"({"image": "a", "variations": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})")
                    .variations);
    QVERIFY(model.moveRow(QModelIndex(), 0, QModelIndex(), 3));
    QCOMPARE(rowNames(&model), QStringList({"b", "c", "a"}));
    QVERIFY(model.moveRow(QModelIndex(), 2, QModelIndex(), 0));
    QCOMPARE(rowNames(&model), QStringList({"a", "b", "c"}));
    QVERIFY(model.moveRows(QModelIndex(), 1, 2, QModelIndex(), 0));
    QCOMPARE(rowNames(&model), QStringList({"b", "c", "a"}));
    QVERIFY(!model.moveRow(QModelIndex(), 1, QModelIndex(), 1)); // onto itself
    QVERIFY(!model.moveRow(QModelIndex(), 5, QModelIndex(), 0));
}

void TestLaunchPanel::envText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("pairs"); // key, value, key, value...
    QTest::addColumn<QString>("formatted");
    QTest::addRow("empty") << "" << QStringList() << "";
    QTest::addRow("one") << "A=1" << QStringList({"A", "1"}) << "A=1";
    QTest::addRow("spaces around")
            << "  B = two words ,A=1  " << QStringList({"A", "1", "B", "two words"})
            << "A=1, B=two words";
    QTest::addRow("empty value") << "A=, B=2" << QStringList({"A", "", "B", "2"}) << "A=, B=2";
    QTest::addRow("equals in value") << "URL=a=b" << QStringList({"URL", "a=b"}) << "URL=a=b";
    QTest::addRow("quoted comma") << "L=\"a, b\", M=1" << QStringList({"L", "a, b", "M", "1"})
                                  << "L=\"a, b\", M=1";
    QTest::addRow("escapes") << R"(Q="say \"hi\" \\ \n")" << QStringList({"Q", "say \"hi\" \\ \n"})
                             << R"(Q="say \"hi\" \\ \n")";
    QTest::addRow("inner quote") << "Q=a\"b" << QStringList({"Q", "a\"b"}) << "Q=a\"b";
    QTest::addRow("padding kept in quotes")
            << "P=\" x \"" << QStringList({"P", " x "}) << "P=\" x \"";
    QTest::addRow("newlines separate") << "A=1\nB=2\n"
                                       << QStringList({"A", "1", "B", "2"}) << "A=1, B=2";
    QTest::addRow("trailing comma") << "A=1," << QStringList({"A", "1"}) << "A=1";
}

void TestLaunchPanel::envText()
{
    QFETCH(QString, text);
    QFETCH(QStringList, pairs);
    QFETCH(QString, formatted);
    QMap<QString, QString> expected;
    for (qsizetype i = 0; i + 1 < pairs.size(); i += 2)
        expected.insert(pairs.at(i), pairs.at(i + 1));
    const Result<QMap<QString, QString>> parsed = VariationTableModel::parseEnv(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.errorString()));
    QCOMPARE(*parsed, expected);
    QCOMPARE(VariationTableModel::formatEnv(expected), formatted);
    QCOMPARE(*VariationTableModel::parseEnv(formatted), expected);
}

void TestLaunchPanel::envTextRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::addRow("no equals") << "A=1, B"
                               << "'B' is not KEY=value";
    QTest::addRow("no name") << "=1"
                             << "no name";
    QTest::addRow("unterminated") << "A=\"open"
                                  << "no closing quote";
    QTest::addRow("text after quote") << "A=\"x\" y"
                                      << "separate entries with commas";
    QTest::addRow("twice") << "A=1, A=2"
                           << "A is set twice";
}

void TestLaunchPanel::envTextRejects()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const Result<QMap<QString, QString>> parsed = VariationTableModel::parseEnv(text);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.errorString().contains(message), qPrintable(parsed.errorString()));
}

void TestLaunchPanel::commandText_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addRow("plain") << QStringList({"npm", "test"});
    QTest::addRow("spaces") << QStringList({"echo", "hello world", "  padded  "});
    QTest::addRow("quotes") << QStringList({"say", "\"hi\"", "a\"b", "\"", "x \" y"});
    QTest::addRow("shell line") << QStringList(
            {"sh", "-c", "make && echo \"$HOME\" | tr a-z A-Z; ls 'a b'"});
    QTest::addRow("backslashes") << QStringList({"C:\\path", "a\\ b", "\\\""});
    QTest::addRow("tabs") << QStringList({"a\tb"});
}

void TestLaunchPanel::commandText()
{
    QFETCH(QStringList, arguments);
    const QString text = VariationTableModel::formatCommand(arguments);
    QCOMPARE(QProcess::splitCommand(text), arguments);
    QCOMPARE(*VariationTableModel::parseCommandOverride(text), arguments);
    QVERIFY(!VariationTableModel::parseCommandOverride(QStringLiteral("  ")).has_value());
    QCOMPARE(*VariationTableModel::parseCommandOverride(VariationTableModel::imageDefaultText()),
             QStringList());
}

void TestLaunchPanel::screenshot()
{
    LaunchPanel panel;
    QVERIFY(panel.applyPreset(QStringLiteral("demo-session")));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    panel.setImages({ImageSummary{QStringLiteral("sha256:1"),
                                  {QStringLiteral(PARALLAX_DEMO_IMAGE)},
                                  2'100'000,
                                  now - 3600}});
    panel.resize(540, 1180);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    settle();
    const QImage image = panel.grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY(image.save(QStringLiteral("/tmp/launchpanel.png")));

    // The same panel showing problems, and a template, for a look at the other states.
    child<QLineEdit>(panel, QStringLiteral("memoryEdit"))->setText(QStringLiteral("2 gigs"));
    VariationTableModel *model = panel.variationModel();
    QVERIFY(model->setData(model->index(2, 0), "Opus"));
    QVERIFY(!panel.validate());
    settle();
    QVERIFY(panel.grab().toImage().save(QStringLiteral("/tmp/launchpanel-errors.png")));
    QVERIFY(panel.applyPreset(QStringLiteral("claude-code")));
    settle();
    QVERIFY(panel.grab().toImage().save(QStringLiteral("/tmp/launchpanel-template.png")));
    panel.resize(panel.minimumSizeHint().width(), 700);
    settle();
    QVERIFY(panel.grab().toImage().save(QStringLiteral("/tmp/launchpanel-narrow.png")));
}

void TestLaunchPanel::agentPresetsShowTheirImage_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("version");
    QTest::addRow("claude-code") << "claude-code"
                                 << "2.1.112";
    QTest::addRow("codex-cli") << "codex-cli"
                               << "0.169.0";
    QTest::addRow("gemini-cli") << "gemini-cli"
                                << "0.61.0";
}

void TestLaunchPanel::agentPresetsShowTheirImage()
{
    QFETCH(QString, id);
    QFETCH(QString, version);
    LaunchPanel panel;
    panel.show();
    QVERIFY(panel.applyPreset(id));
    const Preset preset = panel.presets().byId(id);
    QVERIFY(preset.agent);
    QCOMPARE(preset.agent->version, version);
    auto *image = child<QComboBox>(panel, QStringLiteral("imageCombo"));
    QCOMPARE(image->currentText(), preset.agentTag());
    QCOMPARE(panel.agentTag(), preset.agentTag());
    QVERIFY(panel.agent().has_value());
    QCOMPARE(panel.agent()->package, preset.agent->package);
    auto *build = child<QToolButton>(panel, QStringLiteral("buildImageButton"));
    auto *pull = child<QToolButton>(panel, QStringLiteral("pullImageButton"));
    QVERIFY(build->isVisible());
    QVERIFY(!pull->isVisible());
    QSignalSpy buildRequested(&panel, &LaunchPanel::buildImageRequested);
    build->click();
    QCOMPARE(buildRequested.size(), 1);
    QVERIFY(panel.validate());
    QCOMPARE(panel.spec()->image, preset.agentTag());
    QVERIFY(!panel.isModified());

    // Once the image is local, there is nothing to build.
    panel.setImages({ImageSummary{QStringLiteral("sha256:1"), {preset.agentTag()}, 1, 0}});
    QVERIFY(!build->isVisible());

    // Another image typed in: the form runs that, and nothing is built.
    image->setEditText(QStringLiteral("my/own-claude:1"));
    QVERIFY(!panel.agent().has_value());
    QVERIFY(!build->isVisible());
    image->setEditText(preset.agentTag());
    QVERIFY(panel.agent().has_value());

    // A spec loaded afterwards is not an agent preset any more.
    panel.setSpec(*preset.runSpec());
    QVERIFY(!panel.agent().has_value());
}

void TestLaunchPanel::networkCombo()
{
    LaunchPanel panel;
    auto *network = child<QComboBox>(panel, QStringLiteral("networkCombo"));
    QCOMPARE(network->currentData().toString(), QStringLiteral("default"));
    panel.setSpec(parse(R"({"image": "x", "network": "none"})"));
    QCOMPARE(network->currentData().toString(), QStringLiteral("none"));
    QCOMPARE(panel.spec()->network, QStringLiteral("none"));
    QCOMPARE(canonical(*panel.spec()), QByteArray(R"({"image":"x","network":"none"})"));
    network->setCurrentIndex(network->findData(QStringLiteral("host")));
    QVERIFY(panel.isModified());
    QCOMPARE(panel.spec()->network, QStringLiteral("host"));
    network->setCurrentIndex(network->findData(QStringLiteral("default")));
    QCOMPARE(canonical(*panel.spec()), QByteArray(R"({"image":"x"})"));
    QCOMPARE(network->count(), 3);
}

void TestLaunchPanel::missingSecretStopsLaunch()
{
    // The claude-code preset without ANTHROPIC_API_KEY (no keychain in tests: the environment
    // only): Launch says which secret is missing, and neither an image build nor a run starts.
    const QByteArray saved = qgetenv("ANTHROPIC_API_KEY");
    qunsetenv("ANTHROPIC_API_KEY");
    auto restore = qScopeGuard([&] {
        if (!saved.isEmpty())
            qputenv("ANTHROPIC_API_KEY", saved);
    });
    MainWindow window;
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() != DockerMonitor::Health::Unknown,
                             10000);
    if (window.dockerMonitor()->health() != DockerMonitor::Health::Healthy)
        QSKIP("Docker is not reachable");
    QVERIFY(window.launchPanel()->applyPreset(QStringLiteral("claude-code")));
    QVERIFY(window.launchPanel()->agent().has_value());
    window.launch();
    const QString expected = QStringLiteral(
            "ANTHROPIC_API_KEY is not set: add it in Run \u25B8 Secrets\u2026 or export it");
    auto bannerText = [&] {
        const QList<QLabel *> labels = window.findChildren<QLabel *>();
        for (QLabel *label : labels) {
            if (label->isVisible() && label->text().contains(QLatin1String("Cannot launch")))
                return label->text();
        }
        return QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!bannerText().isEmpty(), 10000);
    QVERIFY2(bannerText().contains(expected), qPrintable(bannerText()));
    QVERIFY(window.agentImage() == nullptr); // no build was even looked up
    QVERIFY(window.currentRun() == nullptr);
}

QTEST_MAIN(TestLaunchPanel)

#include "tst_launchpanel.moc"
