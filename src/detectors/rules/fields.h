/* Rule fields: Falco-style names over struct hh_event (docs/rules.md lists
 * them). Internal to the rule engine: the condition compiler resolves a name
 * once to a field_ref; evaluation reads the value straight from the event
 * (computed values go to per-event scratch space in the context). */
#ifndef HH_RULES_FIELDS_H
#define HH_RULES_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

enum ftype {
	FT_STR,     /* text; "" when the event has none */
	FT_NUM,     /* signed 64-bit integer */
	FT_BOOL,
	FT_IP,      /* an address; literals may be CIDR networks */
	FT_EVTYPE,  /* evt.type: literals are event names (aliases allowed) */
};

struct field_ref {
	uint16_t id;          /* index in the field table */
	enum ftype type;
	bool multi;           /* several values (proc.aname without index): any may match */
	int index;            /* proc.aname[N] */
	char arg[128];        /* proc.env[NAME], k8s.pod.label[KEY] */
};

struct fval {
	const char *s;        /* FT_STR, FT_EVTYPE (name), FT_IP (text) */
	long long n;          /* FT_NUM, FT_BOOL, FT_EVTYPE (enum value) */
};

#define RULE_CTX_MEMO 256

/* Per-event evaluation state: lazily computed values cached for one event. */
struct rule_ctx {
	const struct hh_event *ev;
	unsigned have;        /* bits of cached values below */
	char exe[256];
	char repo[512];
	char dir[HH_EV_PATH_LEN];
	char scratch[512];
	char wallet[64];      /* proc.cmdline.wallet: "monero:44AFFq...EP3A" */
	long long evt_num;    /* evt.num */
	/* lazy /proc values (fields_proc.c), each looked up once per event */
	char pcmdline[1024], pexe[256], cwd[256], cap_eff[768], cap_prm[768];
	char uname[64], gname[64], lname[64];
	char flagtext[160];   /* evt.arg.flags as text */
	uint8_t sip_family;   /* 4, 6, 0 = not an address */
	uint8_t sip[16];
	/* Macro results for this event: a macro used by several rules is
	 * evaluated once. Bit k-1 of have/val is macro k (see cnode.memo). */
	uint64_t memo_have[RULE_CTX_MEMO / 64], memo_val[RULE_CTX_MEMO / 64];
};

void rule_ctx_init(struct rule_ctx *c, const struct hh_event *ev);

/* Resolves "proc.aname[2]" etc. Returns 0, or -1 with err set. */
int field_resolve(const char *name, size_t len, struct field_ref *out, char *err, size_t errlen);
/* The canonical name of a resolved field (without its argument). */
const char *field_name(const struct field_ref *f);
/* The i-th value of f (i = 0 for single-valued fields). false: no more values. */
bool field_get(const struct field_ref *f, struct rule_ctx *c, size_t i, struct fval *v);
/* Whether the event carries f at all ("exists"): strings are non-empty,
 * fd.sport needs a network event, proc.fpu.* an FPU summary. */
bool field_present(const struct field_ref *f, struct rule_ctx *c);
/* The remote address of the event as raw bytes (cached). false when none. */
bool field_sip(struct rule_ctx *c, uint8_t *family, const uint8_t **addr);

/* Whether f is a Falco field that hashhound cannot fill (always <NA>);
 * why: the reason, for the load report and docs. */
bool field_unavailable(const struct field_ref *f, const char **why);
/* The i-th field that cannot be filled (name and reason); NULL past the end. */
const char *field_unavailable_reason(size_t i, const char **name);

/* Event type by name, Falco aliases included ("openat" -> HH_EV_OPEN). -1: unknown. */
int field_evtype_parse(const char *name);

/* For rule literals: also accepts the system calls Falco rules name that
 * hashhound does not trace, as FIELD_EVTYPE_UNSEEN (matches no event). */
#define FIELD_EVTYPE_UNSEEN 31
int field_evtype_parse_rule(const char *name);

/* Names of every field, NULL-terminated (for docs and error hints). */
const char *const *field_names(void);

#endif
