/* tokenizer.h — GPT-2 style byte-level BPE vocabulary read from a GGUF file
 * (tokenizer.ggml.tokens / token_type / merges / pre): decoding of token ids to bytes
 * (tokenizer.c) and the BPE encoder (tokenizer_bpe.c, pre-tokenizers in tokenizer_pre.c).
 * Functions return 0 on success, -1 with a message in err[errlen]. */
#ifndef MPB_TOKENIZER_H
#define MPB_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "gguf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tok_map tok_map; /* string -> int hash table (tokenizer.c) */
struct tok_pre;                 /* compiled pre-tokenizer (tokenizer_pre.h) */

#define TOK_MERGE_MAX 2048 /* longer tokenizer.ggml.merges entries are ignored */

typedef struct tok_vocab {
  uint32_t n;          /* vocabulary size */
  gguf_str *tokens;    /* token strings in the byte-to-unicode alphabet (into the GGUF) */
  int32_t *type;       /* token_type per token (1 normal, 3 control, ...), or NULL */
  tok_map *by_text;    /* token string -> id */
  tok_map *merge_rank; /* "left right" -> merge rank */
  int32_t bos, eos;
  int32_t *special;    /* ids of control tokens (type 3), matched literally by tok_encode */
  uint32_t n_special;
  gguf_str pre_name;   /* tokenizer.ggml.pre (e.g. "smollm"), empty if absent */
  struct tok_pre *pre; /* its regexes; NULL if absent or not supported (tok_encode fails) */
} tok_vocab;

int tok_load(tok_vocab **out, const gguf_file *g, char *err, size_t errlen);
void tok_free(tok_vocab *v);

/* Bytes of token id appended to out (NUL-terminated, at most outlen-1 bytes); returns
 * the number of bytes, or -1 if id is out of range. Control tokens decode to their text. */
int tok_decode(const tok_vocab *v, int32_t id, char *out, size_t outlen);

/* Encode len bytes of text into at most max ids; *n receives the count. Control tokens
 * written literally (e.g. "<|im_start|>") encode to their own id; the text between them
 * is pre-tokenized by v->pre and each piece BPE-merged. Any bytes are accepted. */
int tok_encode(const tok_vocab *v, const char *text, size_t len, int32_t *ids, size_t max,
               size_t *n, char *err, size_t errlen);

/* Read a token-id file (decimal ids, white space, '#' comments); ids in [0, n_vocab). */
int tok_read_ids(const char *path, int32_t n_vocab, int32_t *ids, size_t max, size_t *n,
                 char *err, size_t errlen);

/* Internal helpers shared by tokenizer.c and tokenizer_bpe.c. */
int tok_map_get(const tok_map *m, const char *s, size_t len); /* -1 if absent */
/* The unicode code point GPT-2's byte-to-unicode table assigns to byte b. */
uint32_t tok_byte_to_cp(uint8_t b);

#ifdef __cplusplus
}
#endif
#endif
