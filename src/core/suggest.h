/* suggest.h - "did you mean": the closest of a few known words to a misspelt one.
 *
 * Owns: the edit distance (case-insensitive, an adjacent swap counts as one edit) and the
 * rule for when a candidate is close enough to be offered.
 * Must not: print, or know what the words are (commands, options, profile names).
 */
#ifndef SWD_CORE_SUGGEST_H
#define SWD_CORE_SUGGEST_H

#include <stddef.h>

/* Edits between a and b, ignoring ASCII case; words longer than 63 bytes are never close. */
size_t swd_edit_distance(const char *a, const char *b);

/* The candidate closest to word when it is within a quarter of word's length (at least one
 * edit), the first of equals; NULL when none is. Returns: borrowed (one of cands). */
const char *swd_suggest(const char *word, const char *const *cands, size_t n);

#endif
