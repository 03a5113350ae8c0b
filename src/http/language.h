/*
 * language.h: RFC 9110 §12.5.4, the Accept-Language field value, and the
 * one choice the service makes with it: Chinese or English (language.c,
 * which does no I/O).
 */
#ifndef PIPELINED_LANGUAGE_H
#define PIPELINED_LANGUAGE_H

/*
 * Whether field (an Accept-Language value, or NULL when the request has
 * none) prefers Chinese to English: 1 when the weight it gives zh (any
 * range whose primary subtag is zh: zh, zh-CN, zh-Hans-CN) is above the
 * weight it gives en (en, en-US, ...), or the same and not 0 with the
 * zh range first; else 0. A range of a language stands for it at the
 * highest weight any of its ranges has; "*" stands for a language that
 * no range names. q=0 is "not acceptable". An element that is not a
 * language range with an optional ";q=" weight (a weight that is not a
 * qvalue: q=2, q=abc, q=0.5555) is skipped, as if not sent.
 */
int language_prefers_zh(const char *field);

#endif
