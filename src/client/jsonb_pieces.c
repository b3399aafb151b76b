/*
 * src/client/jsonb_pieces.c
 *		Turning a large JSON answer into jsonb piece by piece, so that its
 *		peak memory stays a small multiple of its size.
 *
 * jsonb_in builds a tree of JsonbValues for the whole text before it writes
 * the jsonb: about 1 kB for every small object of the text, ten times and
 * more the size of a typical list.  Here a container larger than
 * GOFIVE_PIECE_BYTES is cut into its elements (or fields); each is converted on
 * its own (recursively, or by jsonb_in when small, in a scratch context
 * reset after each), and the container's jsonb is written from the pieces
 * in the format of PostgreSQL's convertToJsonb (src/backend/utils/adt/
 * jsonb_util.c): a header, one JEntry per child (an end offset every
 * JB_OFFSET_STRIDE children, lengths otherwise), then the children's data,
 * numerics and containers padded to 4 bytes; object keys sorted by length,
 * then bytes, the last of equal keys kept.  The result is the same jsonb
 * that jsonb_in would make.
 *
 * The text must be valid JSON that jsonb_in accepts (response.c checks
 * that first: nesting, numbers, escapes).
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "client.h"
#include "gofive.h"

typedef struct Piece
{
	size_t		start;			/* within the text */
	size_t		end;
	char	   *key;			/* objects: the de-escaped key */
	int			key_len;
	int			order;
	Jsonb	   *jsonb;			/* the converted piece */
} Piece;

typedef struct Split
{
	JsonLexContext *lex;
	char	   *base;
	char		kind;			/* 'o' */
	Piece	   *pieces;
	int			n;
	int			cap;
} Split;

static Piece *
add_piece(Split *s)
{
	if (s->n == s->cap)
	{
		s->cap = s->cap ? s->cap * 2 : 64;
		s->pieces = s->pieces ? repalloc_huge(s->pieces, sizeof(Piece) * s->cap)
			: palloc(sizeof(Piece) * s->cap);
	}
	memset(&s->pieces[s->n], 0, sizeof(Piece));
	s->pieces[s->n].order = s->n;
	s->pieces[s->n].start = s->lex->token_start - s->base;
	return &s->pieces[s->n++];
}

static void
split_object_start(void *state)
{
	Split	   *s = state;

	if (s->lex->lex_level == 0)
		s->kind = 'o';
}

static void
split_field_start(void *state, char *fname, bool isnull)
{
	Split	   *s = state;

	if (s->lex->lex_level == 1)
	{
		Piece	   *p = add_piece(s);

		p->key = fname;
		p->key_len = strlen(fname);
	}
}

static void
split_field_end(void *state, char *fname, bool isnull)
{
	Split	   *s = state;

	if (s->lex->lex_level == 1)
		s->pieces[s->n - 1].end = s->lex->prev_token_terminator - s->base;
	else
		pfree(fname);
}

/* Where the fields of the object text [start, end) lie, with their keys. */
static void
split_object(char *text, size_t start, size_t end, Split *s)
{
	JsonSemAction sem = {0};

	memset(s, 0, sizeof(*s));
	s->lex = makeJsonLexContextCstringLen(text + start, (int) (end - start),
										  GetDatabaseEncoding(), true);
	/* positions are kept relative to text, not to the piece */
	s->base = text;
	sem.semstate = s;
	sem.object_start = split_object_start;
	sem.object_field_start = split_field_start;
	sem.object_field_end = split_field_end;
	if (pg_parse_json(s->lex, &sem) != JSON_SUCCESS)
		elog(ERROR, "a checked answer failed to parse again");
}

/* A small piece through jsonb_in, in scratch, copied out to the caller's context. */
static Jsonb *
small_piece(char *text, size_t start, size_t end, MemoryContext scratch)
{
	MemoryContext caller = MemoryContextSwitchTo(scratch);
	char		saved = text[end];
	Jsonb	   *jb;
	Jsonb	   *copy;

	text[end] = '\0';
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text + start)));
	text[end] = saved;
	MemoryContextSwitchTo(caller);
	copy = palloc(VARSIZE(jb));
	memcpy(copy, jb, VARSIZE(jb));
	MemoryContextReset(scratch);
	return copy;
}

static Jsonb *convert(char *text, size_t start, size_t end, MemoryContext scratch);


/* ---- writing a container from its pieces ---- */

typedef struct Writer
{
	char	   *buf;
	size_t		cap;
	size_t		len;			/* from the start of the varlena */
	size_t		data_start;		/* where the children's data begins */
	JEntry	   *entries;
	size_t		last_end;		/* of the previous child, from data_start */
	int			next_entry;
	int			nentries;
} Writer;

static void
pad_to_int(Writer *w)
{
	while (w->len % sizeof(int32) != 0)
		w->buf[w->len++] = '\0';
}

/* The JEntry of the child just written: its length, or every JB_OFFSET_STRIDE'th its end. */
static void
put_entry(Writer *w, uint32 type)
{
	size_t		end = w->len - w->data_start;
	int			i = w->next_entry++;

	if (end > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	if (i % JB_OFFSET_STRIDE == 0)
		w->entries[i] = type | (uint32) end | JENTRY_HAS_OFF;
	else
		w->entries[i] = type | (uint32) (end - w->last_end);
	w->last_end = end;
}

/* Room for more bytes of children's data (the entries stay where they are). */
static void
reserve(Writer *w, size_t more)
{
	size_t		entries_at = (char *) w->entries - w->buf;

	if (w->len + more <= w->cap)
		return;
	while (w->len + more > w->cap)
		w->cap += w->cap / 2;
	w->buf = repalloc_huge(w->buf, w->cap);
	w->entries = (JEntry *) (w->buf + entries_at);
}

/* Append a child (a converted piece) as the next entry. */
static void
put_child(Writer *w, Jsonb *child)
{
	JsonbContainer *root = &child->root;

	reserve(w, VARSIZE(child) + sizeof(int32));

	if (JB_ROOT_IS_SCALAR(child))
	{
		JEntry		e = root->children[0];
		uint32		type = e & JENTRY_TYPEMASK;
		char	   *data = (char *) &root->children[1];
		uint32		len = JBE_OFFLENFLD(e);

		if (type == JENTRY_ISNUMERIC)
		{
			/* the scalar's own padding, if any, comes first */
			uint32		own_pad = (uint32) (INTALIGN((uintptr_t) (data - (char *) child)) -
											(data - (char *) child));

			data += own_pad;
			len -= own_pad;
			pad_to_int(w);
		}
		memcpy(w->buf + w->len, data, len);
		w->len += len;
		put_entry(w, type);
	}
	else
	{
		size_t		size = VARSIZE(child) - VARHDRSZ;

		pad_to_int(w);
		memcpy(w->buf + w->len, VARDATA(child), size);
		w->len += size;
		put_entry(w, JENTRY_ISCONTAINER);
	}
}

static void
put_key(Writer *w, const Piece *p)
{
	memcpy(w->buf + w->len, p->key, p->key_len);
	w->len += p->key_len;
	put_entry(w, JENTRY_ISSTRING);
}

/* jsonb's key order: shorter first, then bytes; equal keys, the last first */
static int
compare_keys(const void *a, const void *b)
{
	const Piece *x = a;
	const Piece *y = b;

	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	{
		int			c = memcmp(x->key, y->key, x->key_len);

		if (c != 0)
			return c;
	}
	return x->order > y->order ? -1 : 1;
}

static Jsonb *
write_container(Split *s)
{
	bool		object = (s->kind == 'o');
	int			n = s->n;
	size_t		bound = VARHDRSZ + sizeof(uint32);
	Writer		w = {0};
	uint32		header;

	if (object && n > 1)
	{
		int			kept = 1;

		qsort(s->pieces, n, sizeof(Piece), compare_keys);
		for (int i = 1; i < n; i++)
			if (s->pieces[i].key_len != s->pieces[kept - 1].key_len ||
				memcmp(s->pieces[i].key, s->pieces[kept - 1].key, s->pieces[i].key_len) != 0)
				s->pieces[kept++] = s->pieces[i];
			else
			{
				/* an earlier value of the same key: dropped */
				pfree(s->pieces[i].jsonb);
				pfree(s->pieces[i].key);
			}
		n = s->n = kept;
	}
	w.nentries = object ? 2 * n : n;
	bound += sizeof(JEntry) * w.nentries;
	for (int i = 0; i < n; i++)
		bound += VARSIZE(s->pieces[i].jsonb) + (object ? s->pieces[i].key_len : 0) + 2 * sizeof(int32);

	w.buf = palloc_extended(bound, MCXT_ALLOC_HUGE);
	w.cap = bound;
	w.len = VARHDRSZ;
	header = (uint32) n | (object ? JB_FOBJECT : JB_FARRAY);
	memcpy(w.buf + w.len, &header, sizeof(uint32));
	w.len += sizeof(uint32);
	w.entries = (JEntry *) (w.buf + w.len);
	w.len += sizeof(JEntry) * w.nentries;
	w.data_start = w.len;
	if (object)
		for (int i = 0; i < n; i++)
			put_key(&w, &s->pieces[i]);
	for (int i = 0; i < n; i++)
	{
		put_child(&w, s->pieces[i].jsonb);
		pfree(s->pieces[i].jsonb);
	}
	SET_VARSIZE(w.buf, w.len);
	return (Jsonb *) w.buf;
}

/*
 * An array, written as its elements are converted, in one pass after a pass
 * that counts them: no list of pieces, and the data written where it stays.
 */
typedef struct ArrayPass
{
	JsonLexContext *lex;
	char	   *base;
	MemoryContext scratch;
	int			count;
	size_t		elem_start;
	Writer	   *w;				/* NULL while counting */
} ArrayPass;

static void
array_elem_start(void *state, bool isnull)
{
	ArrayPass  *a = state;

	if (a->lex->lex_level != 1)
		return;
	a->count++;
	a->elem_start = a->lex->token_start - a->base;
}

static void
array_elem_end(void *state, bool isnull)
{
	ArrayPass  *a = state;
	Jsonb	   *child;

	if (a->lex->lex_level != 1 || a->w == NULL)
		return;
	child = convert(a->base, a->elem_start, a->lex->prev_token_terminator - a->base, a->scratch);
	put_child(a->w, child);
	pfree(child);
}

static void
array_pass(char *text, size_t start, size_t end, ArrayPass *a)
{
	JsonSemAction sem = {0};

	a->lex = makeJsonLexContextCstringLen(text + start, (int) (end - start),
										  GetDatabaseEncoding(), false);
	a->base = text;
	sem.semstate = a;
	sem.array_element_start = array_elem_start;
	sem.array_element_end = array_elem_end;
	if (pg_parse_json(a->lex, &sem) != JSON_SUCCESS)
		elog(ERROR, "a checked answer failed to parse again");
}

static Jsonb *
convert_array(char *text, size_t start, size_t end, MemoryContext scratch)
{
	ArrayPass	a = {0};
	Writer		w = {0};
	uint32		header;

	a.scratch = scratch;
	array_pass(text, start, end, &a);	/* count */
	w.nentries = a.count;
	/* the text's size is a fair first guess of the data's */
	w.cap = VARHDRSZ + sizeof(uint32) + sizeof(JEntry) * w.nentries + (end - start);
	w.buf = palloc_extended(w.cap, MCXT_ALLOC_HUGE);
	w.len = VARHDRSZ;
	header = (uint32) w.nentries | JB_FARRAY;
	memcpy(w.buf + w.len, &header, sizeof(uint32));
	w.len += sizeof(uint32);
	w.entries = (JEntry *) (w.buf + w.len);
	w.len += sizeof(JEntry) * w.nentries;
	w.data_start = w.len;

	a.count = 0;
	a.w = &w;
	array_pass(text, start, end, &a);	/* convert and write */
	SET_VARSIZE(w.buf, w.len);
	return (Jsonb *) w.buf;
}

static Jsonb *
convert(char *text, size_t start, size_t end, MemoryContext scratch)
{
	Split		s;
	Jsonb	   *jb;
	size_t		first = start;

	if (end - start <= GOFIVE_PIECE_BYTES)
		return small_piece(text, start, end, scratch);
	while (first < end && strchr(" \t\r\n", text[first]) != NULL)
		first++;
	if (text[first] == '[')
		return convert_array(text, start, end, scratch);
	if (text[first] != '{')
		return small_piece(text, start, end, scratch);
	split_object(text, start, end, &s);
	for (int i = 0; i < s.n; i++)
		s.pieces[i].jsonb = convert(text, s.pieces[i].start, s.pieces[i].end, scratch);
	jb = write_container(&s);
	for (int i = 0; i < s.n; i++)
		if (s.pieces[i].key)
			pfree(s.pieces[i].key);
	if (s.pieces)
		pfree(s.pieces);
	return jb;
}

/*
 * The JSON text [start, end) of text (which is writable: a byte is swapped
 * for a NUL and back) as jsonb.
 */
Jsonb *
gofive_jsonb_from_text(char *text, size_t start, size_t end)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "gofive jsonb piece",
												  ALLOCSET_DEFAULT_SIZES);
	Jsonb	   *jb = convert(text, start, end, scratch);

	MemoryContextDelete(scratch);
	return jb;
}
