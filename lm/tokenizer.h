/* tokenizer.h — the vocabulary read from a GGUF file (tokenizer.ggml.tokens / token_type /
 * merges / scores): decoding of token ids to bytes (tokenizer.c) and two encoders chosen by
 * tokenizer.ggml.model: "gpt2", a GPT-2 style byte-level BPE by merge rank
 * (tokenizer_bpe.c) after the pre-tokenizer that tokenizer.ggml.pre names
 * (tokenizer_pre.c, llama.cpp's regexes run by ICU), and "llama", SentencePiece-style merges by score with byte fallback
 * (tokenizer_spm.c). Functions return 0 on success, -1 with a message in err[errlen]. */
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
typedef struct tok_spm tok_spm; /* SentencePiece-style model data (tokenizer_spm.c) */

/* tokenizer.ggml.model: which encoder and decoder apply. */
typedef enum { TOK_MODEL_BPE = 0 /* "gpt2" or absent */, TOK_MODEL_SPM = 1 /* "llama" */ } tok_model;

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
  tok_model model;
  tok_spm *spm;        /* TOK_MODEL_SPM only: scores, byte tokens, pre-split tokens */
  int add_bos;         /* tokenizer.ggml.add_bos_token (callers prepend bos when set) */
} tok_vocab;

int tok_load(tok_vocab **out, const gguf_file *g, char *err, size_t errlen);
void tok_free(tok_vocab *v);

/* Bytes of token id appended to out (NUL-terminated, at most outlen-1 bytes); returns
 * the number of bytes, or -1 if id is out of range. Control tokens decode to their text. */
int tok_decode(const tok_vocab *v, int32_t id, char *out, size_t outlen);

/* Encode len bytes of text into at most max ids; *n receives the count. Control tokens
 * written literally (e.g. "<|im_start|>") encode to their own id; the text between them
 * is pre-tokenized by v->pre and each piece BPE-merged. Any bytes are accepted. Room for
 * TOK_MAX_IDS_PER_BYTE * len ids always suffices (a SentencePiece-style vocabulary without
 * a "▁" piece spells an escaped space with three byte tokens); fewer fails with a message
 * when they run out. */
#define TOK_MAX_IDS_PER_BYTE 3
int tok_encode(const tok_vocab *v, const char *text, size_t len, int32_t *ids, size_t max,
               size_t *n, char *err, size_t errlen);

/* Read a token-id file (decimal ids, white space, '#' comments); ids in [0, n_vocab). */
int tok_read_ids(const char *path, int32_t n_vocab, int32_t *ids, size_t max, size_t *n,
                 char *err, size_t errlen);

/* The SentencePiece-style model (tokenizer_spm.c), used by tok_load / tok_encode /
 * tok_decode when model == TOK_MODEL_SPM. */
int tok_spm_load(tok_vocab *v, const gguf_file *g, char *err, size_t errlen);
void tok_spm_free(tok_spm *s);
int tok_spm_encode(const tok_vocab *v, const char *text, size_t len, int32_t *ids, size_t max,
                   size_t *n, char *err, size_t errlen);
int tok_spm_decode(const tok_vocab *v, int32_t id, char *out, size_t outlen);

/* Internal helpers shared by tokenizer.c and tokenizer_bpe.c. */
int tok_map_get(const tok_map *m, const char *s, size_t len); /* -1 if absent */
/* The unicode code point GPT-2's byte-to-unicode table assigns to byte b. */
uint32_t tok_byte_to_cp(uint8_t b);

#ifdef __cplusplus
}
#endif
#endif
