#include "clock.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <time.h>
#else
#include <chrono>
#endif

namespace Parallax {

namespace {

constexpr qint64 kSecondsPerDay = 86400;
constexpr int kNanosPerSecond = 1000000000;

// Howard Hinnant's days_from_civil / civil_from_days: the proleptic Gregorian calendar without
// the time_t range limits or locale and time-zone state of gmtime/timegm.
constexpr qint64 daysFromCivil(qint64 year, unsigned month, unsigned day)
{
    year -= month <= 2 ? 1 : 0;
    const qint64 era = (year >= 0 ? year : year - 399) / 400;
    const auto yearOfEra = unsigned(year - era * 400);
    const unsigned dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + qint64(dayOfEra) - 719468;
}

struct CivilDate
{
    qint64 year;
    unsigned month;
    unsigned day;
};

constexpr CivilDate civilFromDays(qint64 days)
{
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const auto dayOfEra = unsigned(days - era * 146097);
    const unsigned yearOfEra
            = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const unsigned dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const unsigned mp = (5 * dayOfYear + 2) / 153;
    const unsigned day = dayOfYear - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {qint64(yearOfEra) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

static_assert(daysFromCivil(1970, 1, 1) == 0);
static_assert(civilFromDays(11016).year == 2000 && civilFromDays(11016).month == 2);

constexpr bool isLeapYear(qint64 year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr unsigned daysInMonth(qint64 year, unsigned month)
{
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && isLeapYear(year) ? 29 : days[month - 1];
}

char *putDigits(char *out, quint64 value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = char('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

bool readDigits(const char *text, int count, int *value)
{
    int result = 0;
    for (int i = 0; i < count; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return false;
        result = result * 10 + (c - '0');
    }
    *value = result;
    return true;
}

} // namespace

QByteArray rfc3339Nanos()
{
#ifdef Q_OS_UNIX
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return rfc3339Nanos(qint64(now.tv_sec), int(now.tv_nsec));
#else
    const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    return rfc3339Nanos(since / kNanosPerSecond, int(since % kNanosPerSecond));
#endif
}

QByteArray rfc3339Nanos(qint64 secondsSinceEpoch, int nanoseconds)
{
    qint64 seconds = secondsSinceEpoch + nanoseconds / kNanosPerSecond;
    int nanos = nanoseconds % kNanosPerSecond;
    if (nanos < 0) {
        nanos += kNanosPerSecond;
        --seconds;
    }
    qint64 days = seconds / kSecondsPerDay;
    qint64 secondOfDay = seconds % kSecondsPerDay;
    if (secondOfDay < 0) {
        secondOfDay += kSecondsPerDay;
        --days;
    }
    const CivilDate date = civilFromDays(days);

    char buffer[64];
    char *p = buffer;
    quint64 year = quint64(date.year);
    if (date.year < 0) {
        *p++ = '-';
        year = quint64(-date.year);
    }
    int yearWidth = 4;
    for (quint64 limit = 10000; year >= limit && yearWidth < 19; limit *= 10)
        ++yearWidth;
    p = putDigits(p, year, yearWidth);
    *p++ = '-';
    p = putDigits(p, date.month, 2);
    *p++ = '-';
    p = putDigits(p, date.day, 2);
    *p++ = 'T';
    p = putDigits(p, quint64(secondOfDay / 3600), 2);
    *p++ = ':';
    p = putDigits(p, quint64(secondOfDay / 60 % 60), 2);
    *p++ = ':';
    p = putDigits(p, quint64(secondOfDay % 60), 2);
    *p++ = '.';
    p = putDigits(p, quint64(nanos), 9);
    *p++ = 'Z';
    return QByteArray(buffer, p - buffer);
}

std::optional<std::pair<qint64, int>> parseRfc3339Nanos(QByteArrayView text)
{
    const char *p = text.data();
    const qsizetype size = text.size();
    if (size < 20)
        return std::nullopt;

    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    const bool fieldsOk
            = readDigits(p, 4, &year) && p[4] == '-' && readDigits(p + 5, 2, &month) && p[7] == '-'
              && readDigits(p + 8, 2, &day) && (p[10] == 'T' || p[10] == 't' || p[10] == ' ')
              && readDigits(p + 11, 2, &hour) && p[13] == ':' && readDigits(p + 14, 2, &minute)
              && p[16] == ':' && readDigits(p + 17, 2, &second);
    if (!fieldsOk)
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || unsigned(day) > daysInMonth(year, unsigned(month))
        || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;

    qsizetype i = 19;
    int nanos = 0;
    if (p[i] == '.') {
        ++i;
        int digits = 0;
        for (; i < size && p[i] >= '0' && p[i] <= '9'; ++i, ++digits) {
            if (digits < 9)
                nanos = nanos * 10 + (p[i] - '0');
        }
        if (digits == 0)
            return std::nullopt;
        for (int d = digits; d < 9; ++d)
            nanos *= 10;
    }
    if (i >= size)
        return std::nullopt;

    int offsetSeconds = 0;
    if (p[i] == 'Z' || p[i] == 'z') {
        ++i;
    } else if (p[i] == '+' || p[i] == '-') {
        int offsetHours = 0, offsetMinutes = 0;
        if (size - i < 6 || !readDigits(p + i + 1, 2, &offsetHours) || p[i + 3] != ':'
            || !readDigits(p + i + 4, 2, &offsetMinutes) || offsetHours > 23 || offsetMinutes > 59)
            return std::nullopt;
        offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (p[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != size)
        return std::nullopt;

    const qint64 seconds = daysFromCivil(year, unsigned(month), unsigned(day)) * kSecondsPerDay
                           + hour * 3600 + minute * 60 + second - offsetSeconds;
    return std::make_pair(seconds, nanos);
}

std::optional<qint64> parseRfc3339Msecs(QByteArrayView text)
{
    const auto parsed = parseRfc3339Nanos(text);
    if (!parsed)
        return std::nullopt;
    return parsed->first * 1000 + parsed->second / 1000000;
}

} // namespace Parallax
