#include "transcript/secretredactor.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using namespace Parallax;

namespace {

const QByteArray kMask = "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2";

// An independent statement of the rule: every occurrence of every secret is covered; occurrences
// sharing a byte merge into one run; each run becomes one mask.
QByteArray referenceRedact(const QByteArray &text, const QList<QByteArray> &secrets)
{
    QList<std::pair<qsizetype, qsizetype>> ranges;
    for (const QByteArray &secret : secrets) {
        if (secret.isEmpty())
            continue;
        for (qsizetype at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1))
            ranges.append({at, at + secret.size()});
    }
    std::sort(ranges.begin(), ranges.end());
    QByteArray out;
    qsizetype pos = 0;
    for (qsizetype i = 0; i < ranges.size();) {
        const qsizetype start = ranges[i].first;
        qsizetype end = ranges[i].second;
        for (++i; i < ranges.size() && ranges[i].first < end; ++i)
            end = std::max(end, ranges[i].second);
        out += text.mid(pos, start - pos) + kMask;
        pos = end;
    }
    return out + text.mid(pos);
}

struct Streamed
{
    QByteArray output;
    qint64 consumed = 0;
    bool holdingAfterFinish = true;
};

Streamed redactInPieces(const QList<QByteArray> &secrets, const QList<QByteArrayView> &pieces)
{
    SecretRedactor redactor(secrets);
    Streamed result;
    for (QByteArrayView piece : pieces) {
        qint64 consumed = -1;
        result.output += redactor.feed(piece, &consumed);
        result.consumed += consumed;
    }
    qint64 consumed = -1;
    result.output += redactor.finish(&consumed);
    result.consumed += consumed;
    result.holdingAfterFinish = redactor.isHolding();
    return result;
}

} // namespace

class SecretRedactorTest : public QObject
{
    Q_OBJECT

private slots:
    void mask();
    void oneShot_data();
    void oneShot();
    void splitEverywhere_data();
    void splitEverywhere();
    void oneByteAtATime_data();
    void oneByteAtATime();
    void prefixReleasedOnce();
    void finishReleasesHeldTail();
    void secretInOneChunk();
    void maskedRunSpanningChunks();
    void noSecretsPassthrough();
    void randomized();

private:
    void addCases();
};

void SecretRedactorTest::mask()
{
    QCOMPARE(SecretRedactor::mask(), kMask);
    QCOMPARE(QString::fromUtf8(SecretRedactor::mask()), QStringLiteral("••••••"));
}

void SecretRedactorTest::addCases()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QList<QByteArray>>("secrets");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray m = kMask;
    QTest::addRow("no secrets") << QByteArray("nothing to hide\n") << QList<QByteArray>{}
                                << QByteArray("nothing to hide\n");
    QTest::addRow("only empty secrets")
            << QByteArray("abc") << QList<QByteArray>{"", ""} << QByteArray("abc");
    QTest::addRow("inside") << QByteArray("key=sk-123456 ok\n") << QList<QByteArray>{"sk-123456"}
                            << "key=" + m + " ok\n";
    QTest::addRow("whole text") << QByteArray("sk-123456") << QList<QByteArray>{"sk-123456"} << m;
    QTest::addRow("at start and end")
            << QByteArray("tok and tok") << QList<QByteArray>{"tok"} << m + " and " + m;
    QTest::addRow("adjacent occurrences")
            << QByteArray("[tokentoken]") << QList<QByteArray>{"token"} << "[" + m + m + "]";
    QTest::addRow("overlapping secrets")
            << QByteArray("xabcdefx") << QList<QByteArray>{"abc", "bcdef"} << "x" + m + "x";
    QTest::addRow("overlap chain") << QByteArray("-abcdefgh-")
                                   << QList<QByteArray>{"abc", "cde", "efg", "gh"} << "-" + m + "-";
    QTest::addRow("longer wins at same start")
            << QByteArray("tok token123!") << QList<QByteArray>{"tok", "token123"}
            << m + " " + m + "!";
    QTest::addRow("contained secret") << QByteArray("mypass123 pass")
                                      << QList<QByteArray>{"pass", "mypass123"} << m + " " + m;
    QTest::addRow("self-overlapping")
            << QByteArray("baaab aa") << QList<QByteArray>{"aa"} << "b" + m + "b " + m;
    QTest::addRow("periodic secret") << QByteArray("abababab") << QList<QByteArray>{"abab"} << m;
    QTest::addRow("prefix that is not a secret")
            << QByteArray("hunter3 hunter2 hunte") << QList<QByteArray>{"hunter2"}
            << "hunter3 " + m + " hunte";
    QTest::addRow("shared prefixes")
            << QByteArray("sk-ant-1 sk-ant-12345 sk-ant-123")
            << QList<QByteArray>{"sk-ant-12345", "sk-ant-1"} << m + " " + m + " " + m + "23";
    QTest::addRow("duplicate secrets")
            << QByteArray("a s3cr3t b") << QList<QByteArray>{"s3cr3t", "s3cr3t"} << "a " + m + " b";
    QTest::addRow("binary secret") << QByteArray("x\0\xff\0y", 5)
                                   << QList<QByteArray>{QByteArray("\0\xff\0", 3)} << "x" + m + "y";
    QTest::addRow("UTF-8 secret") << QByteArray("p=\xc3\xa9t\xc3\xa9!")
                                  << QList<QByteArray>{"\xc3\xa9t\xc3\xa9"} << "p=" + m + "!";
    QTest::addRow("one-byte secret")
            << QByteArray("a+b+c") << QList<QByteArray>{"+"} << "a" + m + "b" + m + "c";
    QTest::addRow("secret longer than text")
            << QByteArray("sk-") << QList<QByteArray>{"sk-123456"} << QByteArray("sk-");
}

void SecretRedactorTest::oneShot_data()
{
    addCases();
}

void SecretRedactorTest::oneShot()
{
    QFETCH(QByteArray, text);
    QFETCH(QList<QByteArray>, secrets);
    QFETCH(QByteArray, expected);
    QCOMPARE(referenceRedact(text, secrets), expected);
    QCOMPARE(SecretRedactor::redact(text, secrets), expected);
}

void SecretRedactorTest::splitEverywhere_data()
{
    addCases();
}

// Two and three pieces at every split point: the output equals the one-shot result, nothing is
// lost or released twice, and the raw counts add up to the input.
void SecretRedactorTest::splitEverywhere()
{
    QFETCH(QByteArray, text);
    QFETCH(QList<QByteArray>, secrets);
    QFETCH(QByteArray, expected);
    const QByteArrayView view(text);
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const Streamed two = redactInPieces(secrets, {view.first(i), view.sliced(i)});
        QVERIFY2(two.output == expected,
                 qPrintable(QStringLiteral("split at %1: %2")
                                    .arg(i)
                                    .arg(QString::fromUtf8(two.output))));
        QCOMPARE(two.consumed, text.size());
        QVERIFY(!two.holdingAfterFinish);
        for (qsizetype j = i; j <= text.size(); ++j) {
            const Streamed three = redactInPieces(
                    secrets, {view.first(i), view.sliced(i, j - i), view.sliced(j)});
            QVERIFY2(three.output == expected,
                     qPrintable(QStringLiteral("split at %1, %2").arg(i).arg(j)));
            QCOMPARE(three.consumed, text.size());
        }
    }
}

void SecretRedactorTest::oneByteAtATime_data()
{
    addCases();
}

void SecretRedactorTest::oneByteAtATime()
{
    QFETCH(QByteArray, text);
    QFETCH(QList<QByteArray>, secrets);
    QFETCH(QByteArray, expected);
    QList<QByteArrayView> pieces;
    for (qsizetype i = 0; i < text.size(); ++i)
        pieces.append(QByteArrayView(text).sliced(i, 1));
    const Streamed streamed = redactInPieces(secrets, pieces);
    QCOMPARE(streamed.output, expected);
    QCOMPARE(streamed.consumed, text.size());
}

void SecretRedactorTest::prefixReleasedOnce()
{
    SecretRedactor redactor({"hunter2"});
    qint64 consumed = 0;
    QCOMPARE(redactor.feed("say hun", &consumed), QByteArray("say "));
    QCOMPARE(consumed, 4);
    QVERIFY(redactor.isHolding());
    QCOMPARE(redactor.feed("te", &consumed), QByteArray());
    QCOMPARE(consumed, 0);
    QCOMPARE(redactor.feed("r3!", &consumed), QByteArray("hunter3!"));
    QCOMPARE(consumed, 8);
    QVERIFY(!redactor.isHolding());
    QCOMPARE(redactor.finish(&consumed), QByteArray());
    QCOMPARE(consumed, 0);
}

void SecretRedactorTest::finishReleasesHeldTail()
{
    SecretRedactor redactor({"hunter2"});
    qint64 consumed = 0;
    QCOMPARE(redactor.feed("abc hunt", &consumed), QByteArray("abc "));
    QCOMPARE(consumed, 4);
    QVERIFY(redactor.isHolding());
    QCOMPARE(redactor.finish(&consumed), QByteArray("hunt"));
    QCOMPARE(consumed, 4);
    QVERIFY(!redactor.isHolding());
}

void SecretRedactorTest::secretInOneChunk()
{
    SecretRedactor redactor({"ghp_abcdef"});
    qint64 consumed = 0;
    QCOMPARE(redactor.feed("GITHUB_TOKEN=ghp_abcdef\n", &consumed), "GITHUB_TOKEN=" + kMask + "\n");
    QCOMPARE(consumed, 24);
    QVERIFY(!redactor.isHolding());
    QCOMPARE(redactor.feed("ghp_abcdef", &consumed), kMask);
    QCOMPARE(consumed, 10);
}

// A run that a later secret could still extend is held as a whole, so its one mask accounts for
// all of its bytes and a chunk boundary never falls inside it.
void SecretRedactorTest::maskedRunSpanningChunks()
{
    SecretRedactor redactor({"abc", "bcdef"});
    qint64 consumed = 0;
    QCOMPARE(redactor.feed("x abcd", &consumed), QByteArray("x "));
    QCOMPARE(consumed, 2);
    QVERIFY(redactor.isHolding());
    QCOMPARE(redactor.feed("ef y", &consumed), kMask + " y");
    QCOMPARE(consumed, 8);

    SecretRedactor other({"abc", "bcdef"});
    QCOMPARE(other.feed("x abcd", &consumed), QByteArray("x "));
    QCOMPARE(other.feed("!", &consumed), kMask + "d!");
    QCOMPARE(consumed, 5);
}

void SecretRedactorTest::noSecretsPassthrough()
{
    SecretRedactor redactor({});
    const QByteArray big(1 << 20, 'z');
    qint64 consumed = 0;
    const QByteArray out = redactor.feed(big, &consumed);
    QCOMPARE(out.size(), big.size());
    QVERIFY(out == big);
    QCOMPARE(consumed, big.size());
    QVERIFY(!redactor.isHolding());
    QCOMPARE(redactor.finish(&consumed), QByteArray());
    QCOMPARE(consumed, 0);

    // With secrets but none present, a chunk comes back whole and nothing is held.
    SecretRedactor quiet({"sk-ant-0123456789"});
    QVERIFY(quiet.feed(big, &consumed) == big);
    QCOMPARE(consumed, big.size());
    QVERIFY(!quiet.isHolding());
}

// Random texts over a tiny alphabet (so secrets occur and overlap often), random secrets and
// random chunking, against the reference rule.
void SecretRedactorTest::randomized()
{
    QRandomGenerator random(20261123);
    const auto randomText = [&random](int maxLength) {
        QByteArray text;
        const int length = int(random.bounded(maxLength + 1));
        for (int i = 0; i < length; ++i)
            text += char('a' + random.bounded(3));
        return text;
    };
    for (int round = 0; round < 3000; ++round) {
        QList<QByteArray> secrets;
        const int secretCount = int(random.bounded(4));
        for (int i = 0; i < secretCount; ++i)
            secrets.append(randomText(5));
        const QByteArray text = randomText(40);
        QList<QByteArrayView> pieces;
        for (qsizetype pos = 0; pos < text.size();) {
            const qsizetype length = std::min<qsizetype>(text.size() - pos, random.bounded(7));
            pieces.append(QByteArrayView(text).sliced(pos, length));
            pos += length;
        }
        const QByteArray expected = referenceRedact(text, secrets);
        QCOMPARE(SecretRedactor::redact(text, secrets), expected);
        const Streamed streamed = redactInPieces(secrets, pieces);
        QVERIFY2(streamed.output == expected,
                 qPrintable(QStringLiteral("text %1 secrets %2")
                                    .arg(QString::fromLatin1(text),
                                         QString::fromLatin1(secrets.join(',')))));
        QCOMPARE(streamed.consumed, text.size());
    }
}

QTEST_GUILESS_MAIN(SecretRedactorTest)
#include "tst_secretredactor.moc"
