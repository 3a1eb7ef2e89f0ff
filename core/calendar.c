/*
 * calendar.c - Swedish days, weeks, months, holidays and working days.
 * See calendar.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"

/* Floor division and modulo, for days before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* Days from civil (H. Hinnant's algorithm), for the proleptic calendar. */
int32_t cal_day_from_ymd(int year, int month, int mday)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void cal_ymd(int32_t day, int *year, int *month, int *mday)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = (int)m;
	*mday = (int)d;
}

int cal_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday */
	return (int)floor_mod((int64_t)day + 3, 7);
}

/* The last Sunday of a month of `year` whose last day is `last`. */
static int32_t last_sunday(int year, int month, int last)
{
	int32_t d = cal_day_from_ymd(year, month, last);

	return d - cal_weekday(d + 1);   /* weekday(d + 1) == 0: d is a Sunday */
}

/* The UTC offset of Swedish time at instant t, in seconds. */
static int64_t offset_at(int64_t t)
{
	int32_t utc_day = (int32_t)floor_div(t, 86400);
	int y, m, d;
	int64_t start, end;

	cal_ymd(utc_day, &y, &m, &d);
	start = (int64_t)last_sunday(y, 3, 31) * 86400 + 3600;
	end = (int64_t)last_sunday(y, 10, 31) * 86400 + 3600;
	return t >= start && t < end ? 7200 : 3600;
}

int32_t cal_day_of(int64_t unix_seconds)
{
	return (int32_t)floor_div(unix_seconds + offset_at(unix_seconds), 86400);
}

int64_t cal_day_start(int32_t day)
{
	/* the clocks change at 02:00 or 03:00, never at midnight */
	int64_t summer = (int64_t)day * 86400 - 7200;

	return offset_at(summer) == 7200 ? summer : (int64_t)day * 86400 - 3600;
}

int64_t cal_local(int32_t day, int32_t seconds)
{
	int64_t summer = (int64_t)day * 86400 + seconds - 7200;

	return offset_at(summer) == 7200 ? summer : (int64_t)day * 86400 + seconds - 3600;
}

bool cal_parse(int32_t *out, const char *text)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 0, m = 0, d = 0, i, yy, mm, dd;

	*out = 0;
	if (!text || strlen(text) < 10 || text[4] != '-' || text[7] != '-')
		return false;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (text[i] < '0' || text[i] > '9')
			return false;
	}
	for (i = 0; i < 4; i++)
		y = y * 10 + (text[i] - '0');
	m = (text[5] - '0') * 10 + (text[6] - '0');
	d = (text[8] - '0') * 10 + (text[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	*out = cal_day_from_ymd(y, m, d);
	/* 29 February of a common year comes back as 1 March */
	cal_ymd(*out, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d) {
		*out = 0;
		return false;
	}
	return true;
}

void cal_format(char buf[CAL_DATE_MAX], int32_t day)
{
	int y, m, d;

	cal_ymd(day, &y, &m, &d);
	/* years 0..9999, months and days as they are: ten characters */
	y = y < 0 ? 0 : y % 10000;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

int32_t cal_week_start(int32_t day)
{
	return day - cal_weekday(day);
}

int32_t cal_month_start(int32_t day)
{
	int y, m, d;

	cal_ymd(day, &y, &m, &d);
	return cal_day_from_ymd(y, m, 1);
}

int32_t cal_month_add(int32_t day, int n)
{
	int y, m, d;
	int64_t months;

	cal_ymd(day, &y, &m, &d);
	months = (int64_t)y * 12 + (m - 1) + n;
	return cal_day_from_ymd((int)floor_div(months, 12), (int)floor_mod(months, 12) + 1, 1);
}

void cal_iso_week(int32_t day, int *year, int *week)
{
	/* the week belongs to the year its Thursday is in */
	int32_t thursday = day - cal_weekday(day) + 3;
	int m, d;

	cal_ymd(thursday, year, &m, &d);
	*week = (thursday - cal_day_from_ymd(*year, 1, 1)) / 7 + 1;
}

int32_t cal_easter(int year)
{
	/* the anonymous Gregorian computus (Meeus/Jones/Butcher) */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int mday = (h + l - 7 * m + 114) % 31 + 1;

	return cal_day_from_ymd(year, month, mday);
}

bool cal_is_holiday(int32_t day, const char **name)
{
	static const struct { int m, d; const char *name; } fixed[] = {
		{ 1, 1, "nyårsdagen" }, { 1, 6, "trettondedag jul" }, { 5, 1, "första maj" },
		{ 6, 6, "Sveriges nationaldag" }, { 12, 24, "julafton" },
		{ 12, 25, "juldagen" }, { 12, 26, "annandag jul" }, { 12, 31, "nyårsafton" },
	};
	static const struct { int offset; const char *name; } easter[] = {
		{ -2, "långfredagen" }, { 0, "påskdagen" }, { 1, "annandag påsk" },
		{ 39, "Kristi himmelsfärds dag" }, { 49, "pingstdagen" },
	};
	int y, m, d, wd = cal_weekday(day);
	int32_t e;
	size_t i;
	const char *found = NULL;

	cal_ymd(day, &y, &m, &d);
	for (i = 0; !found && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i].m == m && fixed[i].d == d)
			found = fixed[i].name;
	e = cal_easter(y);
	for (i = 0; !found && i < sizeof(easter) / sizeof(easter[0]); i++)
		if (day == e + easter[i].offset)
			found = easter[i].name;
	if (!found && m == 6 && wd == 4 && d >= 19 && d <= 25)
		found = "midsommarafton";
	if (!found && m == 6 && wd == 5 && d >= 20 && d <= 26)
		found = "midsommardagen";
	if (!found && wd == 5 && ((m == 10 && d == 31) || (m == 11 && d <= 6)))
		found = "alla helgons dag";
	if (name)
		*name = found;
	return found != NULL;
}

bool cal_is_working_day(int32_t day)
{
	return cal_weekday(day) < 5 && !cal_is_holiday(day, NULL);
}

int32_t cal_working_days(int32_t from, int32_t to)
{
	int32_t n = 0, d;

	for (d = from + 1; d <= to; d++)
		if (cal_is_working_day(d))
			n++;
	return n;
}
