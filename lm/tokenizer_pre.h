/* tokenizer_pre.h — pre-tokenizers of byte-level BPE vocabularies: the sequence of regexes
 * llama.cpp (src/llama-vocab.cpp) applies for a tokenizer.ggml.pre name, run by ICU's
 * regex engine over the UTF-8 text (tokenizer_pre.c). Each regex cuts every piece left by
 * the previous one into its matches and the gaps between them; a piece's end is the end of
 * the string for the next regex (lookahead never crosses it).
 * Functions return 0 on success, -1 with a message in err[errlen]. */
#ifndef MPB_TOKENIZER_PRE_H
#define MPB_TOKENIZER_PRE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tok_pre tok_pre;

/* The supported names, for messages: "smollm, gpt2". */
const char *tok_pre_names(void);

/* Compile the pre-tokenizer called name[0..len) (tokenizer.ggml.pre, e.g. "smollm").
 * Unknown names fail with a message listing tok_pre_names(). */
int tok_pre_open(tok_pre **out, const char *name, size_t len, char *err, size_t errlen);
void tok_pre_close(tok_pre *p);

/* Cut text[0..len) into pre-tokens: *ends receives *n end offsets, strictly increasing, the
 * last one len (none if len is 0), in a malloc'd array the caller frees. Bytes that are not
 * well-formed UTF-8 are classified as U+FFFD (neither letter, number nor space) but kept:
 * the pieces always cover every byte. Safe to call from several threads on one p. */
int tok_pre_split(const tok_pre *p, const char *text, size_t len, size_t **ends, size_t *n,
                  char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
