/*
 * calendar.h - days as the Swedish office counts them: dates in Swedish
 * time, ISO weeks, months, public holidays and working days.
 *
 * A day is an integer: the days since 1970-01-01, in the calendar of
 * Europe/Stockholm (CET, and CEST from the last Sunday of March 01:00 UTC
 * to the last Sunday of October 01:00 UTC, as the EU has it since 1996).
 * The rule is built in, so the answer does not depend on the machine's TZ
 * or time zone data.  Days compare, subtract and index like integers.
 *
 * Working days (arbetsdagar) are Monday to Friday that are neither a
 * public holiday (allmän helgdag, lag 1989:253) nor one of the three eves
 * that lag 1930:173 counts with them for deadlines: midsommarafton,
 * julafton and nyårsafton.  The movable holidays follow Easter Sunday
 * (the Gregorian computus): långfredagen, påskdagen, annandag påsk, Kristi
 * himmelsfärds dag, pingstdagen; midsommardagen and alla helgons dag are
 * the Saturdays that fall 20-26 June and 31 October-6 November.
 */
#ifndef ULF_CALENDAR_H
#define ULF_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text cal_format writes, NUL included ("YYYY-MM-DD"). */
#define CAL_DATE_MAX 11

/* The Swedish calendar day of an instant (seconds since the epoch). */
int32_t cal_day_of(int64_t unix_seconds);

/* The instant a Swedish day begins (local midnight), in seconds. */
int64_t cal_day_start(int32_t day);

/* The instant of a Swedish wall-clock time: `seconds` after midnight of
 * `day` (a time the clocks skip is taken as winter time). */
int64_t cal_local(int32_t day, int32_t seconds);

/* The day of a proleptic Gregorian date; no range check. */
int32_t cal_day_from_ymd(int year, int month, int mday);

/* The date of a day. */
void cal_ymd(int32_t day, int *year, int *month, int *mday);

/* "YYYY-MM-DD" (the first ten characters; what follows, such as a time,
 * is ignored) into *out: true when it is a real date. */
bool cal_parse(int32_t *out, const char *text);

/* "YYYY-MM-DD" into buf (CAL_DATE_MAX bytes). */
void cal_format(char buf[CAL_DATE_MAX], int32_t day);

/* 0 Monday .. 6 Sunday. */
int cal_weekday(int32_t day);

/* The Monday of the day's week, and the first of its month. */
int32_t cal_week_start(int32_t day);
int32_t cal_month_start(int32_t day);

/* The first of the month `n` months after the month of `day` (n may be
 * negative). */
int32_t cal_month_add(int32_t day, int n);

/* The ISO 8601 week: its year (which may differ from the date's near New
 * Year) and number (1-53). */
void cal_iso_week(int32_t day, int *year, int *week);

/* Easter Sunday of `year`. */
int32_t cal_easter(int year);

/* A Swedish public holiday, or one of the three eves counted with them
 * (a Sunday is not one for this question unless it is named); *name (may
 * be NULL) gets its Swedish name. */
bool cal_is_holiday(int32_t day, const char **name);

/* Monday to Friday, and not a holiday or one of the three eves. */
bool cal_is_working_day(int32_t day);

/* Working days d with from < d <= to; 0 when to <= from. */
int32_t cal_working_days(int32_t from, int32_t to);

#endif
