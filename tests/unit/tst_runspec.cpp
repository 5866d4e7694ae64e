#include "run/runspec.h"
#include "run/specvalues.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

namespace {

using Env = QMap<QString, QString>;

QString describe(const QList<SpecProblem> &problems)
{
    QStringList lines;
    for (const SpecProblem &problem : problems)
        lines.append(QStringLiteral("  [%1] %2").arg(problem.field, problem.message));
    return lines.join(QLatin1Char('\n'));
}

QString specSourceDir()
{
    const QByteArray source = qgetenv("PARALLAX_SOURCE_DIR");
    if (!source.isEmpty())
        return QDir(QString::fromLocal8Bit(source)).filePath(QStringLiteral("resources/specs"));
    return QFINDTESTDATA("../../resources/specs");
}

} // namespace

class TestRunSpec : public QObject
{
    Q_OBJECT

private slots:
    void specProblemToString_data();
    void specProblemToString();

    void parseSize_data();
    void parseSize();
    void parseSizeRejects_data();
    void parseSizeRejects();
    void parseDuration_data();
    void parseDuration();
    void parseDurationRejects_data();
    void parseDurationRejects();
    void formatSize_data();
    void formatSize();
    void formatDuration_data();
    void formatDuration();

    void minimalSpecHasDefaults();
    void countForm_data();
    void countForm();
    void listForm();
    void fullSpec();

    void invalidSpec_data();
    void invalidSpec();
    void wholeFileProblems_data();
    void wholeFileProblems();
    void collectsAllProblems();
    void problemsClearedOnSuccess();

    void resolvedVariations_data();
    void resolvedVariations();
    void resolvedVariationsDropReservedAndSecrets();

    void roundTrip_data();
    void roundTrip();
    void canonicalJson_data();
    void canonicalJson();
    void setVariationCount_data();
    void setVariationCount();

    void fromFileReadsSpec();
    void fromFileErrors_data();
    void fromFileErrors();
    void exampleSpecs_data();
    void exampleSpecs();
};

void TestRunSpec::specProblemToString_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expected");

    QTest::addRow("with field") << "image"
                                << "required"
                                << "image: required";
    QTest::addRow("nested field") << "limits.memory"
                                  << "bad"
                                  << "limits.memory: bad";
    QTest::addRow("no field") << ""
                              << "invalid JSON"
                              << "invalid JSON";
}

void TestRunSpec::specProblemToString()
{
    QFETCH(QString, field);
    QFETCH(QString, message);
    QFETCH(QString, expected);
    QCOMPARE((SpecProblem{field, message}.toString()), expected);
}

// ---- sizes and durations ----------------------------------------------------------------

void TestRunSpec::parseSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes");

    const qint64 k = 1024;
    QTest::addRow("512m") << "512m" << 512 * k * k;
    QTest::addRow("2g") << "2g" << 2 * k * k * k;
    QTest::addRow("1.5g") << "1.5g" << 1536 * k * k;
    QTest::addRow("256k") << "256k" << 256 * k;
    QTest::addRow("1t") << "1t" << k * k * k * k;
    QTest::addRow("plain bytes") << "1048576" << qint64(1048576);
    QTest::addRow("upper case") << "512M" << 512 * k * k;
    QTest::addRow("with b") << "2gb" << 2 * k * k * k;
    QTest::addRow("with ib") << "2GiB" << 2 * k * k * k;
    QTest::addRow("bytes with b") << "100b" << qint64(100);
    QTest::addRow("one space") << "64 m" << 64 * k * k;
    QTest::addRow("surrounding blanks") << " 1g " << k * k * k;
    QTest::addRow("fraction rounds down") << "1.3k" << qint64(1331);
    QTest::addRow("zero") << "0" << qint64(0);
}

void TestRunSpec::parseSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const Result<qint64> result = Parallax::parseSize(text);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QCOMPARE(*result, bytes);
}

void TestRunSpec::parseSizeRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    const auto row = [](const char *name, const QString &text) {
        QTest::addRow("%s", name) << text
                                  << QStringLiteral("'%1' is not a size like 512m or 2g").arg(text);
    };
    row("words", QStringLiteral("2 gigs"));
    row("empty", QString());
    row("unit only", QStringLiteral("g"));
    row("negative", QStringLiteral("-1g"));
    row("fraction of a byte", QStringLiteral("1.5"));
    row("exponent", QStringLiteral("1e9"));
    row("unknown unit", QStringLiteral("12x"));
    row("hex", QStringLiteral("0x10"));
    row("two spaces", QStringLiteral("64  m"));
    row("two units", QStringLiteral("1g512m"));
    QTest::addRow("too large") << "99999999999t"
                               << "'99999999999t' is too large for a size";
}

void TestRunSpec::parseSizeRejects()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const Result<qint64> result = Parallax::parseSize(text);
    QVERIFY(!result.ok());
    QCOMPARE(result.errorString(), message);
}

void TestRunSpec::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");

    QTest::addRow("90s") << "90s" << qint64(90000);
    QTest::addRow("30m") << "30m" << qint64(30 * 60000);
    QTest::addRow("1h") << "1h" << qint64(3600000);
    QTest::addRow("500ms") << "500ms" << qint64(500);
    QTest::addRow("1h30m") << "1h30m" << qint64(5400000);
    QTest::addRow("1m30s") << "1m30s" << qint64(90000);
    QTest::addRow("2s500ms") << "2s500ms" << qint64(2500);
    QTest::addRow("1h 30m") << "1h 30m" << qint64(5400000);
    QTest::addRow("1.5h") << "1.5h" << qint64(5400000);
    QTest::addRow("upper case") << "10S" << qint64(10000);
    QTest::addRow("zero") << "0s" << qint64(0);
}

void TestRunSpec::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const Result<qint64> result = Parallax::parseDuration(text);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QCOMPARE(*result, ms);
}

void TestRunSpec::parseDurationRejects_data()
{
    QTest::addColumn<QString>("text");

    QTest::addRow("words") << "5 minutes";
    QTest::addRow("bare number") << "90";
    QTest::addRow("empty") << "";
    QTest::addRow("space before unit") << "5 m";
    QTest::addRow("unknown unit") << "3d";
    QTest::addRow("negative") << "-5s";
    QTest::addRow("trailing number") << "1h30";
    QTest::addRow("unit first") << "s90";
}

void TestRunSpec::parseDurationRejects()
{
    QFETCH(QString, text);
    const Result<qint64> result = Parallax::parseDuration(text);
    QVERIFY(!result.ok());
    QCOMPARE(result.errorString(),
             QStringLiteral("'%1' is not a duration like 90s or 30m").arg(text));
}

void TestRunSpec::formatSize_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");

    const qint64 k = 1024;
    QTest::addRow("512m") << 512 * k * k << "512m";
    QTest::addRow("2g") << 2 * k * k * k << "2g";
    QTest::addRow("1.5g") << 1536 * k * k << "1536m";
    QTest::addRow("256k") << 256 * k << "256k";
    QTest::addRow("1t") << k * k * k * k << "1t";
    QTest::addRow("odd bytes") << qint64(1000001) << "1000001";
}

void TestRunSpec::formatSize()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(Parallax::formatSize(bytes), text);
    QCOMPARE(*Parallax::parseSize(text), bytes);
}

void TestRunSpec::formatDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::addRow("90s") << qint64(90000) << "90s";
    QTest::addRow("30m") << qint64(30 * 60000) << "30m";
    QTest::addRow("1h") << qint64(3600000) << "1h";
    QTest::addRow("1h30m") << qint64(5400000) << "1h30m";
    QTest::addRow("500ms") << qint64(500) << "500ms";
    QTest::addRow("1500ms") << qint64(1500) << "1500ms";
    QTest::addRow("3661s") << qint64(3661000) << "3661s";
    QTest::addRow("25h") << qint64(25 * 3600000) << "25h";
}

void TestRunSpec::formatDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(Parallax::formatDuration(ms), text);
    QCOMPARE(*Parallax::parseDuration(text), ms);
}

// ---- valid specs ------------------------------------------------------------------------

void TestRunSpec::minimalSpecHasDefaults()
{
    QList<SpecProblem> problems{{QStringLiteral("stale"), QStringLiteral("stale")}};
    const Result<RunSpec> result = RunSpec::fromJson(R"({"image": "alpine:3"})", &problems);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QVERIFY(problems.isEmpty());
    const RunSpec &spec = *result;
    QCOMPARE(spec.image, QStringLiteral("alpine:3"));
    QVERIFY(spec.name.isEmpty());
    QVERIFY(spec.command.isEmpty());
    QVERIFY(spec.workdir.isEmpty());
    QVERIFY(spec.env.isEmpty());
    QVERIFY(spec.secrets.isEmpty());
    QVERIFY(spec.prompt.isEmpty());
    QVERIFY(!spec.repo);
    QCOMPARE(spec.tty, false);
    QCOMPARE(spec.keepContainers, false);
    QCOMPARE(spec.limits.memoryBytes, 0);
    QCOMPARE(spec.limits.cpus, 0.0);
    QCOMPARE(spec.limits.pids, 0);
    QCOMPARE(spec.limits.timeoutMs, 0);
    QCOMPARE(spec.variations.size(), 1);
    QCOMPARE(spec.variations.first().name, QStringLiteral("v1"));
    QCOMPARE(spec.variationCountHint, 0);
}

void TestRunSpec::countForm_data()
{
    QTest::addColumn<int>("count");
    QTest::addRow("1") << 1;
    QTest::addRow("3") << 3;
    QTest::addRow("64") << 64;
}

void TestRunSpec::countForm()
{
    QFETCH(int, count);
    const QByteArray json
            = QStringLiteral(R"({"image": "alpine", "variations": %1})").arg(count).toUtf8();
    const Result<RunSpec> result = RunSpec::fromJson(json);
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QCOMPARE(result->variationCountHint, count);
    QCOMPARE(result->variations.size(), count);
    for (int i = 0; i < count; ++i) {
        const VariationSpec &variation = result->variations.at(i);
        QCOMPARE(variation.name, QStringLiteral("v%1").arg(i + 1));
        QVERIFY(variation.env.isEmpty());
        QVERIFY(!variation.command);
        QVERIFY(variation.image.isEmpty());
    }
}

void TestRunSpec::listForm()
{
    const Result<RunSpec> result = RunSpec::fromJson(R"({
        "image": "alpine",
        "variations": [
            {"name": "fast", "env": {"SPEED": "9"}},
            {"name": "slow", "command": ["sleep", "10"]},
            {"name": "other.image_2", "image": "busybox"},
            {"name": "no-command", "command": []}
        ]
    })");
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    QCOMPARE(result->variationCountHint, 0);
    const QList<VariationSpec> &v = result->variations;
    QCOMPARE(v.size(), 4);
    QCOMPARE(v[0].name, QStringLiteral("fast"));
    QCOMPARE(v[0].env, (Env{{"SPEED", "9"}}));
    QVERIFY(!v[0].command);
    QCOMPARE(v[1].name, QStringLiteral("slow"));
    QCOMPARE(v[1].command, std::optional<QStringList>(QStringList{"sleep", "10"}));
    QCOMPARE(v[2].image, QStringLiteral("busybox"));
    QCOMPARE(v[3].command, std::optional<QStringList>(QStringList()));
}

void TestRunSpec::fullSpec()
{
    const Result<RunSpec> result = RunSpec::fromJson(R"({
        "name": "refactor",
        "image": "node:20",
        "command": ["npm", "test"],
        "workdir": "/workspace",
        "env": {"A": "1", "_B2": ""},
        "secrets": ["API_KEY", "TOKEN"],
        "prompt": "Fix the bug.\nThen test.",
        "repo": {"url": "https://example.com/r.git", "ref": "main"},
        "tty": true,
        "network": "none",
        "limits": {"memory": "1.5g", "cpus": "1.5", "pids": 256, "timeout": "1h30m"},
        "keep_containers": true
    })");
    QVERIFY2(result.ok(), qPrintable(result.errorString()));
    const RunSpec &s = *result;
    QCOMPARE(s.name, QStringLiteral("refactor"));
    QCOMPARE(s.image, QStringLiteral("node:20"));
    QCOMPARE(s.command, (QStringList{"npm", "test"}));
    QCOMPARE(s.workdir, QStringLiteral("/workspace"));
    QCOMPARE(s.env, (Env{{"A", "1"}, {"_B2", ""}}));
    QCOMPARE(s.secrets, (QStringList{"API_KEY", "TOKEN"}));
    QCOMPARE(s.prompt, QStringLiteral("Fix the bug.\nThen test."));
    QVERIFY(s.repo);
    QCOMPARE(s.repo->url, QStringLiteral("https://example.com/r.git"));
    QCOMPARE(s.repo->ref, QStringLiteral("main"));
    QCOMPARE(s.tty, true);
    QCOMPARE(s.limits.memoryBytes, qint64(1536) * 1024 * 1024);
    QCOMPARE(s.limits.cpus, 1.5);
    QCOMPARE(s.limits.pids, qint64(256));
    QCOMPARE(s.limits.timeoutMs, qint64(5400000));
    QCOMPARE(s.keepContainers, true);

    // Numeric spellings of the limits are accepted too.
    const Result<RunSpec> numeric
            = RunSpec::fromJson(R"({"image": "x", "limits": {"memory": 134217728, "cpus": 2}})");
    QVERIFY2(numeric.ok(), qPrintable(numeric.errorString()));
    QCOMPARE(numeric->limits.memoryBytes, qint64(134217728));
    QCOMPARE(numeric->limits.cpus, 2.0);
}

// ---- invalid specs ----------------------------------------------------------------------

void TestRunSpec::invalidSpec_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    // Unknown fields, with suggestions at every level.
    QTest::addRow("typo top level") << QByteArray(R"({"imagee": "x"})") << "imagee"
                                    << R"(unknown field (did you mean "image"?))";
    QTest::addRow("typo case") << QByteArray(R"({"image": "x", "TTY": true})") << "TTY"
                               << R"(unknown field (did you mean "tty"?))";
    QTest::addRow("typo keep_containers")
            << QByteArray(R"({"image": "x", "keepContainers": true})") << "keepContainers"
            << R"(unknown field (did you mean "keep_containers"?))";
    QTest::addRow("typo network key")
            << QByteArray(R"({"image": "x", "netwrk": "none"})") << "netwrk"
            << R"(unknown field (did you mean "network"?))";
    // network: default | none | host.
    QTest::addRow("network bridge")
            << QByteArray(R"({"image": "x", "network": "bridge"})") << "network"
            << R"("bridge" is not a network mode: use default, none or host (Docker's bridge is "default"))";
    QTest::addRow("network typo")
            << QByteArray(R"({"image": "x", "network": "hots"})") << "network"
            << R"("hots" is not a network mode: use default, none or host (did you mean "host"?))";
    QTest::addRow("network case")
            << QByteArray(R"({"image": "x", "network": "None"})") << "network"
            << R"("None" is not a network mode: use default, none or host (did you mean "none"?))";
    QTest::addRow("network unrelated")
            << QByteArray(R"({"image": "x", "network": "my-net"})") << "network"
            << R"("my-net" is not a network mode: use default, none or host)";
    QTest::addRow("network empty") << QByteArray(R"({"image": "x", "network": ""})") << "network"
                                   << R"("" is not a network mode: use default, none or host)";
    QTest::addRow("network type") << QByteArray(R"({"image": "x", "network": false})") << "network"
                                  << "expected a string, got a boolean";
    QTest::addRow("typo in limits")
            << QByteArray(R"({"image": "x", "limits": {"memroy": "1g"}})") << "limits.memroy"
            << R"(unknown field (did you mean "memory"?))";
    QTest::addRow("typo in repo") << QByteArray(
            R"({"image": "x", "repo": {"url": "u", "rev": "main"}})")
                                  << "repo.rev"
                                  << R"(unknown field (did you mean "ref"?))";
    QTest::addRow("typo in variation")
            << QByteArray(R"({"image": "x", "variations": [{"name": "a", "imgae": "y"}]})")
            << "variations[0].imgae"
            << R"(unknown field (did you mean "image"?))";

    // image
    QTest::addRow("image missing") << QByteArray(R"({"name": "x"})") << "image"
                                   << "required";
    QTest::addRow("image empty") << QByteArray(R"({"image": ""})") << "image"
                                 << "must not be empty";
    QTest::addRow("image blank") << QByteArray(R"({"image": "  "})") << "image"
                                 << "must not be empty";
    QTest::addRow("image number") << QByteArray(R"({"image": 3})") << "image"
                                  << "expected a string, got a number";
    QTest::addRow("image with space") << QByteArray(R"({"image": "node 20"})") << "image"
                                      << R"("node 20" is not a valid image name)";

    // plain strings and booleans
    QTest::addRow("name number") << QByteArray(R"({"image": "x", "name": 1})") << "name"
                                 << "expected a string, got a number";
    QTest::addRow("prompt array") << QByteArray(R"({"image": "x", "prompt": ["a"]})") << "prompt"
                                  << "expected a string, got an array";
    QTest::addRow("tty string") << QByteArray(R"({"image": "x", "tty": "yes"})") << "tty"
                                << "expected a boolean, got a string";
    QTest::addRow("tty null") << QByteArray(R"({"image": "x", "tty": null})") << "tty"
                              << "expected a boolean, got null";
    QTest::addRow("keep_containers number")
            << QByteArray(R"({"image": "x", "keep_containers": 1})") << "keep_containers"
            << "expected a boolean, got a number";

    // command and workdir
    QTest::addRow("command string")
            << QByteArray(R"({"image": "x", "command": "npm test"})") << "command"
            << R"(expected an array of strings like ["npm", "test"], got a string)";
    QTest::addRow("command element")
            << QByteArray(R"({"image": "x", "command": ["sleep", 5]})") << "command[1]"
            << "expected a string, got a number";
    QTest::addRow("workdir relative")
            << QByteArray(R"({"image": "x", "workdir": "src"})") << "workdir"
            << R"("src" is not an absolute path)";
    QTest::addRow("workdir empty") << QByteArray(R"({"image": "x", "workdir": ""})") << "workdir"
                                   << R"("" is not an absolute path)";

    // env
    QTest::addRow("env bad name") << QByteArray(R"({"image": "x", "env": {"MY-VAR": "1"}})")
                                  << "env.MY-VAR"
                                  << R"("MY-VAR" is not a valid variable name)";
    QTest::addRow("env leading digit")
            << QByteArray(R"({"image": "x", "env": {"1A": "1"}})") << "env.1A"
            << R"("1A" is not a valid variable name)";
    QTest::addRow("env empty name") << QByteArray(R"({"image": "x", "env": {"": "1"}})") << "env."
                                    << R"("" is not a valid variable name)";
    QTest::addRow("env number") << QByteArray(R"({"image": "x", "env": {"PORT": 8080}})")
                                << "env.PORT"
                                << R"(expected a string, got a number (write "8080" in quotes))";
    QTest::addRow("env fraction") << QByteArray(R"({"image": "x", "env": {"T": 0.5}})") << "env.T"
                                  << R"(expected a string, got a number (write "0.5" in quotes))";
    QTest::addRow("env bool") << QByteArray(R"({"image": "x", "env": {"DEBUG": true}})")
                              << "env.DEBUG"
                              << R"(expected a string, got a boolean (write "true" in quotes))";
    QTest::addRow("env null") << QByteArray(R"({"image": "x", "env": {"A": null}})") << "env.A"
                              << "expected a string, got null";
    QTest::addRow("env reserved")
            << QByteArray(R"({"image": "x", "env": {"PARALLAX_PROMPT": "hi"}})")
            << "env.PARALLAX_PROMPT"
            << R"("PARALLAX_PROMPT" is reserved: Parallax sets the PARALLAX_ variables itself)";
    QTest::addRow("env array") << QByteArray(R"({"image": "x", "env": ["A=1"]})") << "env"
                               << "expected an object of names to strings, got an array";

    // secrets
    QTest::addRow("secrets string")
            << QByteArray(R"({"image": "x", "secrets": "KEY"})") << "secrets"
            << "expected an array of variable names, got a string";
    QTest::addRow("secret number")
            << QByteArray(R"({"image": "x", "secrets": [1]})") << "secrets[0]"
            << "expected a string, got a number";
    QTest::addRow("secret bad name")
            << QByteArray(R"({"image": "x", "secrets": ["A", "B-C"]})") << "secrets[1]"
            << R"("B-C" is not a valid variable name)";
    QTest::addRow("secret reserved")
            << QByteArray(R"({"image": "x", "secrets": ["PARALLAX_X"]})") << "secrets[0]"
            << R"("PARALLAX_X" is reserved: Parallax sets the PARALLAX_ variables itself)";
    QTest::addRow("secret duplicate")
            << QByteArray(R"({"image": "x", "secrets": ["K", "K"]})") << "secrets[1]"
            << R"(duplicate secret "K")";
    QTest::addRow("secret also in env")
            << QByteArray(R"({"image": "x", "secrets": ["KEY"], "env": {"KEY": "v"}})") << "env.KEY"
            << R"("KEY" is listed in secrets, so its value comes from your environment and cannot also be set in env)";
    QTest::addRow("secret also in variation env")
            << QByteArray(
                       R"({"image": "x", "secrets": ["KEY"], "variations": [{"name": "a", "env": {"KEY": "v"}}]})")
            << "variations[0].env.KEY"
            << R"("KEY" is listed in secrets, so its value comes from your environment and cannot also be set in env)";

    // repo
    QTest::addRow("repo string") << QByteArray(R"({"image": "x", "repo": "https://e/r.git"})")
                                 << "repo"
                                 << R"(expected an object with a "url", got a string)";
    QTest::addRow("repo url missing")
            << QByteArray(R"({"image": "x", "repo": {"ref": "main"}})") << "repo.url"
            << "required";
    QTest::addRow("repo url empty")
            << QByteArray(R"({"image": "x", "repo": {"url": ""}})") << "repo.url"
            << "must not be empty";
    QTest::addRow("repo url number")
            << QByteArray(R"({"image": "x", "repo": {"url": 1}})") << "repo.url"
            << "expected a string, got a number";
    QTest::addRow("repo ref number")
            << QByteArray(R"({"image": "x", "repo": {"url": "u", "ref": 2}})") << "repo.ref"
            << "expected a string, got a number";

    // limits
    QTest::addRow("limits string") << QByteArray(R"({"image": "x", "limits": "1g"})") << "limits"
                                   << "expected an object, got a string";
    QTest::addRow("memory words") << QByteArray(R"({"image": "x", "limits": {"memory": "2 gigs"}})")
                                  << "limits.memory"
                                  << "'2 gigs' is not a size like 512m or 2g";
    QTest::addRow("memory fraction")
            << QByteArray(R"({"image": "x", "limits": {"memory": 1.5}})") << "limits.memory"
            << "expected a whole number of bytes, got 1.5";
    QTest::addRow("memory negative")
            << QByteArray(R"({"image": "x", "limits": {"memory": -5}})") << "limits.memory"
            << "expected a whole number of bytes, got -5";
    QTest::addRow("memory zero") << QByteArray(R"({"image": "x", "limits": {"memory": "0"}})")
                                 << "limits.memory"
                                 << "must be greater than zero";
    QTest::addRow("memory tiny") << QByteArray(R"({"image": "x", "limits": {"memory": "1k"}})")
                                 << "limits.memory"
                                 << "1k is below Docker's minimum of 6m";
    QTest::addRow("memory bool") << QByteArray(R"({"image": "x", "limits": {"memory": true}})")
                                 << "limits.memory"
                                 << "expected a size like 512m or 2g, got a boolean";
    QTest::addRow("cpus zero") << QByteArray(R"({"image": "x", "limits": {"cpus": 0}})")
                               << "limits.cpus"
                               << "must be greater than zero, got 0";
    QTest::addRow("cpus negative string")
            << QByteArray(R"({"image": "x", "limits": {"cpus": "-1"}})") << "limits.cpus"
            << "must be greater than zero, got -1";
    QTest::addRow("cpus words") << QByteArray(R"({"image": "x", "limits": {"cpus": "lots"}})")
                                << "limits.cpus"
                                << "'lots' is not a number like 1.5";
    QTest::addRow("cpus bool") << QByteArray(R"({"image": "x", "limits": {"cpus": false}})")
                               << "limits.cpus"
                               << "expected a number like 1.5, got a boolean";
    QTest::addRow("pids zero") << QByteArray(R"({"image": "x", "limits": {"pids": 0}})")
                               << "limits.pids"
                               << "expected a positive whole number, got 0";
    QTest::addRow("pids fraction")
            << QByteArray(R"({"image": "x", "limits": {"pids": 1.5}})") << "limits.pids"
            << "expected a positive whole number, got 1.5";
    QTest::addRow("pids string") << QByteArray(R"({"image": "x", "limits": {"pids": "10"}})")
                                 << "limits.pids"
                                 << "expected a number, got a string";
    QTest::addRow("timeout words")
            << QByteArray(R"({"image": "x", "limits": {"timeout": "5 minutes"}})")
            << "limits.timeout"
            << "'5 minutes' is not a duration like 90s or 30m";
    QTest::addRow("timeout number")
            << QByteArray(R"({"image": "x", "limits": {"timeout": 60}})") << "limits.timeout"
            << "expected a duration like 90s or 30m, got a number";
    QTest::addRow("timeout zero") << QByteArray(R"({"image": "x", "limits": {"timeout": "0s"}})")
                                  << "limits.timeout"
                                  << "must be greater than zero";

    // variations
    QTest::addRow("variations string")
            << QByteArray(R"({"image": "x", "variations": "3"})") << "variations"
            << "expected a count or a list of variations";
    QTest::addRow("variations object")
            << QByteArray(R"({"image": "x", "variations": {}})") << "variations"
            << "expected a count or a list of variations";
    QTest::addRow("variations zero")
            << QByteArray(R"({"image": "x", "variations": 0})") << "variations"
            << "expected a count from 1 to 64, got 0";
    QTest::addRow("variations 65")
            << QByteArray(R"({"image": "x", "variations": 65})") << "variations"
            << "expected a count from 1 to 64, got 65";
    QTest::addRow("variations fraction")
            << QByteArray(R"({"image": "x", "variations": 2.5})") << "variations"
            << "expected a count from 1 to 64, got 2.5";
    QTest::addRow("variations empty")
            << QByteArray(R"({"image": "x", "variations": []})") << "variations"
            << "expected at least one variation";
    {
        QJsonArray many;
        for (int i = 0; i < 65; ++i)
            many.append(QJsonObject{{"name", QStringLiteral("n%1").arg(i)}});
        const QJsonObject root{{"image", "x"}, {"variations", many}};
        QTest::addRow("variations list too long") << QJsonDocument(root).toJson() << "variations"
                                                  << "at most 64 variations are allowed, got 65";
    }
    QTest::addRow("variation not object")
            << QByteArray(R"({"image": "x", "variations": [{"name": "a"}, "b"]})")
            << "variations[1]"
            << "expected an object, got a string";
    QTest::addRow("variation name missing")
            << QByteArray(R"({"image": "x", "variations": [{"env": {}}]})") << "variations[0].name"
            << "required";
    QTest::addRow("variation name number")
            << QByteArray(R"({"image": "x", "variations": [{"name": 1}]})") << "variations[0].name"
            << "expected a string, got a number";
    const QString badName = QStringLiteral(
            "\"%1\" is not a valid variation name (up to 63 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit)");
    QTest::addRow("variation name space")
            << QByteArray(R"({"image": "x", "variations": [{"name": "my var"}]})")
            << "variations[0].name" << badName.arg("my var");
    QTest::addRow("variation name slash")
            << QByteArray(R"({"image": "x", "variations": [{"name": "a/b"}]})")
            << "variations[0].name" << badName.arg("a/b");
    QTest::addRow("variation name dot first")
            << QByteArray(R"({"image": "x", "variations": [{"name": ".."}]})")
            << "variations[0].name" << badName.arg("..");
    QTest::addRow("variation name empty")
            << QByteArray(R"({"image": "x", "variations": [{"name": ""}]})") << "variations[0].name"
            << badName.arg("");
    {
        const QString longName(64, QLatin1Char('a'));
        QTest::addRow("variation name 64 chars")
                << QStringLiteral(R"({"image": "x", "variations": [{"name": "%1"}]})")
                           .arg(longName)
                           .toUtf8()
                << "variations[0].name" << badName.arg(longName);
    }
    QTest::addRow("variation duplicate") << QByteArray(
            R"({"image": "x", "variations": [{"name": "fast"}, {"name": "slow"}, {"name": "fast"}]})")
                                         << "variations[2].name"
                                         << R"(duplicate variation name "fast")";
    QTest::addRow("variation duplicate ignoring case")
            << QByteArray(R"({"image": "x", "variations": [{"name": "fast"}, {"name": "Fast"}]})")
            << "variations[1].name"
            << R"(duplicate variation name "Fast")";
    QTest::addRow("variation env bad name") << QByteArray(
            R"({"image": "x", "variations": [{"name": "a"}, {"name": "b", "env": {"X Y": "1"}}]})")
                                            << "variations[1].env.X Y"
                                            << R"("X Y" is not a valid variable name)";
    QTest::addRow("variation env reserved")
            << QByteArray(
                       R"({"image": "x", "variations": [{"name": "a", "env": {"PARALLAX_VARIATION": "b"}}]})")
            << "variations[0].env.PARALLAX_VARIATION"
            << R"("PARALLAX_VARIATION" is reserved: Parallax sets the PARALLAX_ variables itself)";
    QTest::addRow("variation command string")
            << QByteArray(R"({"image": "x", "variations": [{"name": "a", "command": "ls"}]})")
            << "variations[0].command"
            << R"(expected an array of strings like ["npm", "test"], got a string)";
    QTest::addRow("variation image empty")
            << QByteArray(R"({"image": "x", "variations": [{"name": "a", "image": ""}]})")
            << "variations[0].image"
            << "must not be empty";
}

void TestRunSpec::invalidSpec()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, message);

    QList<SpecProblem> problems;
    const Result<RunSpec> result = RunSpec::fromJson(json, &problems);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, 2);

    const auto it = std::find_if(problems.cbegin(), problems.cend(), [&](const SpecProblem &p) {
        return p.field == field && p.message == message;
    });
    QVERIFY2(it != problems.cend(),
             qPrintable(QStringLiteral("no [%1] %2 among:\n%3")
                                .arg(field, message, describe(problems))));
    QVERIFY(result.errorString().split(QLatin1Char('\n')).contains(it->toString()));
}

void TestRunSpec::wholeFileProblems_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");

    QTest::addRow("empty") << QByteArray() << R"(the spec is empty; it needs at least an "image")";
    QTest::addRow("blank") << QByteArray(" \n\t")
                           << R"(the spec is empty; it needs at least an "image")";
    QTest::addRow("array") << QByteArray(R"([{"image": "x"}])")
                           << R"(expected a JSON object with at least an "image", got an array)";
    QTest::addRow("missing comma") << QByteArray("{\n  \"image\": \"x\"\n  \"tty\": true\n}")
                                   << "invalid JSON at line 3, column 3: unterminated object";
    QTest::addRow("trailing comma")
            << QByteArray("{\"image\": \"x\",}")
            << "invalid JSON at line 1, column 15: object is missing after a comma";
    // The string runs to the end of the input, which is where it is reported.
    QTest::addRow("unterminated string") << QByteArray("{\n\"image\": \"alpine\n}")
                                         << "invalid JSON at line 3, column 2: unterminated string";
    QTest::addRow("column counts characters")
            << QByteArray("{\"name\": \"\xc3\xa9t\xc3\xa9\" x}")
            << "invalid JSON at line 1, column 16: unterminated object";
    QTest::addRow("not json") << QByteArray("image: alpine")
                              << "invalid JSON at line 1, column 1: illegal value";
}

void TestRunSpec::wholeFileProblems()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);

    QList<SpecProblem> problems;
    const Result<RunSpec> result = RunSpec::fromJson(json, &problems);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, 2);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().field, QString());
    QCOMPARE(problems.first().message, message);
    QCOMPARE(result.errorString(), message);
}

void TestRunSpec::collectsAllProblems()
{
    QList<SpecProblem> problems;
    const Result<RunSpec> result = RunSpec::fromJson(R"({
        "imagee": "x",
        "env": {"MY-VAR": "1"},
        "tty": "no",
        "limits": {"memory": "2 gigs", "timeout": "5 minutes"},
        "variations": [{"name": "fast"}, {"name": "slow"}, {"name": "fast"}]
    })",
                                                     &problems);
    QVERIFY(!result.ok());
    const QStringList expected = {
            R"(imagee: unknown field (did you mean "image"?))",
            R"(image: required)",
            R"(env.MY-VAR: "MY-VAR" is not a valid variable name)",
            R"(tty: expected a boolean, got a string)",
            R"(limits.memory: '2 gigs' is not a size like 512m or 2g)",
            R"(limits.timeout: '5 minutes' is not a duration like 90s or 30m)",
            R"(variations[2].name: duplicate variation name "fast")",
    };
    QStringList actual;
    for (const SpecProblem &problem : std::as_const(problems))
        actual.append(problem.toString());
    QCOMPARE(actual, expected);
    QCOMPARE(result.errorString(), expected.join(QLatin1Char('\n')));
}

void TestRunSpec::problemsClearedOnSuccess()
{
    QList<SpecProblem> problems;
    QVERIFY(!RunSpec::fromJson("{}", &problems).ok());
    QCOMPARE(problems.size(), 1);
    QVERIFY(RunSpec::fromJson(R"({"image": "x"})", &problems).ok());
    QVERIFY(problems.isEmpty());
}

// ---- resolution -------------------------------------------------------------------------

void TestRunSpec::resolvedVariations_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("image");
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<Env>("env");

    const QByteArray base = R"({
        "image": "base:1",
        "command": ["run", "--all"],
        "env": {"A": "top", "B": "top"},
        "secrets": ["KEY"],
        "variations": [
            {"name": "plain"},
            {"name": "merged", "env": {"B": "mine", "C": "new"}},
            {"name": "replaced", "command": ["other"], "image": "other:2"},
            {"name": "imagedefault", "command": []},
            {"name": "blanked", "env": {"A": ""}}
        ]
    })";
    QTest::addRow("inherits everything")
            << base << 0 << "plain"
            << "base:1" << QStringList{"run", "--all"} << Env{{"A", "top"}, {"B", "top"}};
    QTest::addRow("env merges, variation wins") << base << 1 << "merged"
                                                << "base:1" << QStringList{"run", "--all"}
                                                << Env{{"A", "top"}, {"B", "mine"}, {"C", "new"}};
    QTest::addRow("command and image replace")
            << base << 2 << "replaced"
            << "other:2" << QStringList{"other"} << Env{{"A", "top"}, {"B", "top"}};
    QTest::addRow("empty command means the image's own")
            << base << 3 << "imagedefault"
            << "base:1" << QStringList() << Env{{"A", "top"}, {"B", "top"}};
    QTest::addRow("empty value overrides")
            << base << 4 << "blanked"
            << "base:1" << QStringList{"run", "--all"} << Env{{"A", ""}, {"B", "top"}};
    QTest::addRow("count form") << QByteArray(
            R"({"image": "i", "env": {"X": "1"}, "variations": 3})")
                                << 2 << "v3"
                                << "i" << QStringList() << Env{{"X", "1"}};
    QTest::addRow("default single") << QByteArray(R"({"image": "i"})") << 0 << "v1"
                                    << "i" << QStringList() << Env();
}

void TestRunSpec::resolvedVariations()
{
    QFETCH(QByteArray, json);
    QFETCH(int, index);
    QFETCH(QString, name);
    QFETCH(QString, image);
    QFETCH(QStringList, command);
    QFETCH(Env, env);

    const Result<RunSpec> spec = RunSpec::fromJson(json);
    QVERIFY2(spec.ok(), qPrintable(spec.errorString()));
    const QList<ResolvedVariation> resolved = spec->resolvedVariations();
    QCOMPARE(resolved.size(), spec->variations.size());
    QVERIFY(index < resolved.size());
    const ResolvedVariation &v = resolved.at(index);
    QCOMPARE(v.name, name);
    QCOMPARE(v.image, image);
    QCOMPARE(v.command, command);
    QCOMPARE(v.env, env);
}

void TestRunSpec::resolvedVariationsDropReservedAndSecrets()
{
    // fromJson never produces these; a spec assembled in code must not smuggle them through.
    RunSpec spec;
    spec.image = QStringLiteral("i");
    spec.secrets = {QStringLiteral("KEY")};
    spec.env = {{"KEY", "leak"}, {"PARALLAX_PROMPT", "p"}, {"OK", "1"}};
    spec.variations = {VariationSpec{"a", {{"PARALLAX_VARIATION", "x"}, {"KEY", "v"}}, {}, {}}};
    const QList<ResolvedVariation> resolved = spec.resolvedVariations();
    QCOMPARE(resolved.size(), 1);
    QCOMPARE(resolved.first().env, (Env{{"OK", "1"}}));

    spec.variations.clear();
    QCOMPARE(spec.resolvedVariations().size(), 1);
    QCOMPARE(spec.resolvedVariations().first().name, QStringLiteral("v1"));
}

// ---- writing ----------------------------------------------------------------------------

void TestRunSpec::roundTrip_data()
{
    QTest::addColumn<QByteArray>("json");

    QTest::addRow("minimal") << QByteArray(R"({"image": "x"})");
    QTest::addRow("count") << QByteArray(R"({"image": "x", "variations": 5})");
    QTest::addRow("count of one") << QByteArray(R"({"image": "x", "variations": 1})");
    QTest::addRow("list of plain")
            << QByteArray(R"({"image": "x", "variations": [{"name": "v1"}, {"name": "v2"}]})");
    QTest::addRow("everything") << QByteArray(R"({
        "name": "refactor",
        "image": "node:20",
        "command": ["npm", "test"],
        "workdir": "/workspace",
        "env": {"A": "1", "EMPTY": ""},
        "secrets": ["API_KEY"],
        "prompt": "Line one\nLine \"two\"",
        "repo": {"url": "https://example.com/r.git", "ref": "v1.2"},
        "tty": true,
        "limits": {"memory": "1.5g", "cpus": 0.5, "pids": 100, "timeout": "1h30m"},
        "keep_containers": true,
        "variations": [
            {"name": "a", "env": {"MODEL": "m1"}},
            {"name": "b", "command": [], "image": "node:22"},
            {"name": "c", "command": ["npm", "run", "x"]}
        ]
    })");
    QTest::addRow("odd limits") << QByteArray(
            R"({"image": "x", "limits": {"memory": 7340033, "timeout": "1500ms"}})");
    QTest::addRow("repo without ref") << QByteArray(R"({"image": "x", "repo": {"url": "u"}})");
    QTest::addRow("network host") << QByteArray(R"({"image": "x", "network": "host"})");
}

void TestRunSpec::roundTrip()
{
    QFETCH(QByteArray, json);

    const Result<RunSpec> first = RunSpec::fromJson(json);
    QVERIFY2(first.ok(), qPrintable(first.errorString()));
    const Result<RunSpec> second = RunSpec::fromJson(first->toJsonBytes());
    QVERIFY2(second.ok(), qPrintable(second.errorString()));
    QCOMPARE(second->toJson(), first->toJson());

    const RunSpec &a = *first;
    const RunSpec &b = *second;
    QCOMPARE(b.name, a.name);
    QCOMPARE(b.image, a.image);
    QCOMPARE(b.command, a.command);
    QCOMPARE(b.workdir, a.workdir);
    QCOMPARE(b.env, a.env);
    QCOMPARE(b.secrets, a.secrets);
    QCOMPARE(b.prompt, a.prompt);
    QCOMPARE(b.repo.has_value(), a.repo.has_value());
    if (a.repo) {
        QCOMPARE(b.repo->url, a.repo->url);
        QCOMPARE(b.repo->ref, a.repo->ref);
    }
    QCOMPARE(b.tty, a.tty);
    QCOMPARE(b.network, a.network);
    QCOMPARE(b.limits.memoryBytes, a.limits.memoryBytes);
    QCOMPARE(b.limits.cpus, a.limits.cpus);
    QCOMPARE(b.limits.pids, a.limits.pids);
    QCOMPARE(b.limits.timeoutMs, a.limits.timeoutMs);
    QCOMPARE(b.keepContainers, a.keepContainers);
    QCOMPARE(b.variationCountHint, a.variationCountHint);
    QCOMPARE(b.variations.size(), a.variations.size());
    for (qsizetype i = 0; i < a.variations.size(); ++i) {
        QCOMPARE(b.variations[i].name, a.variations[i].name);
        QCOMPARE(b.variations[i].env, a.variations[i].env);
        QCOMPARE(b.variations[i].command, a.variations[i].command);
        QCOMPARE(b.variations[i].image, a.variations[i].image);
    }
}

void TestRunSpec::canonicalJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("canonical");

    QTest::addRow("defaults left out")
            << QByteArray(R"({"image": "x", "tty": false, "keep_containers": false, "env": {}})")
            << QByteArray(R"({"image":"x"})");
    QTest::addRow("count written as count") << QByteArray(R"({"image": "x", "variations": 3})")
                                            << QByteArray(R"({"image":"x","variations":3})");
    QTest::addRow("single default variation left out")
            << QByteArray(R"({"image": "x", "variations": [{"name": "v1"}]})")
            << QByteArray(R"({"image":"x"})");
    QTest::addRow("limits spelled for people")
            << QByteArray(
                       R"({"image": "x", "limits": {"memory": 536870912, "cpus": "2", "timeout": "90m"}})")
            << QByteArray(R"({"image":"x","limits":{"cpus":2,"memory":"512m","timeout":"1h30m"}})");
    QTest::addRow("default network left out")
            << QByteArray(R"({"image": "x", "network": "default"})")
            << QByteArray(R"({"image":"x"})");
    QTest::addRow("network none kept") << QByteArray(R"({"image": "x", "network": "none"})")
                                       << QByteArray(R"({"image":"x","network":"none"})");
    QTest::addRow("secret names only") << QByteArray(R"({"image": "x", "secrets": ["B", "A"]})")
                                       << QByteArray(R"({"image":"x","secrets":["B","A"]})");
}

void TestRunSpec::canonicalJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, canonical);
    const Result<RunSpec> spec = RunSpec::fromJson(json);
    QVERIFY2(spec.ok(), qPrintable(spec.errorString()));
    QCOMPARE(QJsonDocument(spec->toJson()).toJson(QJsonDocument::Compact), canonical);
}

void TestRunSpec::setVariationCount_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("expected");

    QTest::addRow("4") << 4 << 4;
    QTest::addRow("1") << 1 << 1;
    QTest::addRow("64") << 64 << 64;
    QTest::addRow("0 clamps to 1") << 0 << 1;
    QTest::addRow("100 clamps to 64") << 100 << 64;
}

void TestRunSpec::setVariationCount()
{
    QFETCH(int, n);
    QFETCH(int, expected);

    Result<RunSpec> spec = RunSpec::fromJson(
            R"({"image": "x", "variations": [{"name": "a", "env": {"M": "1"}}, {"name": "b"}]})");
    QVERIFY2(spec.ok(), qPrintable(spec.errorString()));
    spec->setVariationCount(n);
    QCOMPARE(spec->variations.size(), expected);
    QCOMPARE(spec->variationCountHint, expected);
    QCOMPARE(spec->variations.last().name, QStringLiteral("v%1").arg(expected));
    QVERIFY(spec->variations.first().env.isEmpty());
    QCOMPARE(spec->toJson().value(QLatin1String("variations")).toInt(), expected);
}

// ---- files ------------------------------------------------------------------------------

void TestRunSpec::fromFileReadsSpec()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("spec.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    // With a UTF-8 byte order mark, as some editors write.
    file.write("\xEF\xBB\xBF{\"image\": \"alpine\", \"variations\": 2}");
    file.close();

    const Result<RunSpec> spec = RunSpec::fromFile(path);
    QVERIFY2(spec.ok(), qPrintable(spec.errorString()));
    QCOMPARE(spec->image, QStringLiteral("alpine"));
    QCOMPARE(spec->variations.size(), 2);
}

void TestRunSpec::fromFileErrors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("contents"); // null: do not create the file
    QTest::addColumn<QString>("reason");

    QTest::addRow("missing") << "missing.json" << QByteArray() << "No such file or directory";
    QTest::addRow("directory") << "." << QByteArray() << "it is a directory";
    QTest::addRow("huge") << "huge.json" << QByteArray(1024 * 1024 + 1, ' ')
                          << "larger than 1 MiB, which is not a run spec";
}

void TestRunSpec::fromFileErrors()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, contents);
    QFETCH(QString, reason);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(name);
    if (!contents.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
    }
    QList<SpecProblem> problems;
    const Result<RunSpec> spec = RunSpec::fromFile(path, &problems);
    QVERIFY(!spec.ok());
    const QString expected
            = QStringLiteral("cannot read %1: %2").arg(QDir::toNativeSeparators(path), reason);
    QCOMPARE(spec.errorString(), expected);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().toString(), expected);
}

void TestRunSpec::exampleSpecs_data()
{
    QTest::addColumn<QString>("path");

    const QString dirPath = specSourceDir();
    if (dirPath.isEmpty())
        QSKIP("PARALLAX_SOURCE_DIR is not set and resources/specs was not found");
    const QDir dir(dirPath);
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 3, qPrintable(dirPath));
    for (const QString &file : files)
        QTest::addRow("%s", qPrintable(file)) << dir.filePath(file);
}

void TestRunSpec::exampleSpecs()
{
    QFETCH(QString, path);

    QList<SpecProblem> problems;
    const Result<RunSpec> spec = RunSpec::fromFile(path, &problems);
    QVERIFY2(spec.ok(), qPrintable(spec.errorString()));
    QVERIFY(!spec->resolvedVariations().isEmpty());
    const Result<RunSpec> again = RunSpec::fromJson(spec->toJsonBytes());
    QVERIFY2(again.ok(), qPrintable(again.errorString()));
    QCOMPARE(again->toJson(), spec->toJson());
}

QTEST_GUILESS_MAIN(TestRunSpec)
#include "tst_runspec.moc"
