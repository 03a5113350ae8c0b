/*
 * sanitized.h: SANITIZED is defined in the test build (ASan or UBSan, with
 * gcc or clang), whose sanitizers need more of the system to report: the
 * sandbox lets them (sandbox.c, landlock.c).
 */
#ifndef PIPELINED_SANITIZED_H
#define PIPELINED_SANITIZED_H

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) ||                                        \
    __has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif

#endif
