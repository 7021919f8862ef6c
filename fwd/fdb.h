/*
 * Forwarding database: (VLAN id, MAC) -> port, as bridge(4) keeps it but
 * keyed per VLAN so that the same MAC on two VLANs of a trunk is two
 * entries.  Open addressing with linear probing over 16-byte slots (four
 * to a cache line) and backward-shift deletion, hashed with xxHash; sized
 * at twice the address cap so probes stay short.  Time is passed in by the
 * caller (seconds), so tests drive aging with a fake clock.
 */
#ifndef FWD_FDB_H
#define FWD_FDB_H

#include <stdint.h>

struct fdb_entry {
	uint64_t	 fe_key;	/* FDB_KEY_USED | vid << 48 | mac */
	uint32_t	 fe_seen;	/* last time the source was seen */
	uint16_t	 fe_port;
	uint8_t		 fe_flags;
#define FDB_F_STATIC	0x01
	uint8_t		 fe_pad;
};

struct fdb {
	struct fdb_entry *f_tab;
	uint32_t	 f_mask;	/* capacity - 1 */
	uint32_t	 f_count;	/* entries, static ones included */
	uint32_t	 f_max;		/* maxaddr */
	uint32_t	 f_timeout;	/* seconds; 0 never ages */
};

#define FDB_DEFAULT_MAX		100	/* BRIDGE_RTABLE_MAX */
#define FDB_DEFAULT_TIMEOUT	240	/* BRIDGE_RTABLE_TIMEOUT */

/* Results of fdb_learn(). */
enum fdb_learn_result {
	FDB_REFRESHED,		/* known here, time updated */
	FDB_LEARNED,		/* new entry */
	FDB_MOVED,		/* known on another port, moved */
	FDB_FULL,		/* new, but the cache is at maxaddr */
	FDB_STATIC_HELD,	/* a static entry names another port */
};

int	 fdb_init(struct fdb *, uint32_t, uint32_t);
void	 fdb_fini(struct fdb *);
int	 fdb_set_max(struct fdb *, uint32_t);
int	 fdb_lookup(const struct fdb *, uint16_t, const uint8_t *, uint32_t);
enum fdb_learn_result
	 fdb_learn(struct fdb *, uint16_t, const uint8_t *, uint16_t, uint32_t);
int	 fdb_add_static(struct fdb *, uint16_t, const uint8_t *, uint16_t);
int	 fdb_delete(struct fdb *, const uint8_t *);
void	 fdb_flush(struct fdb *, int);
void	 fdb_flush_port(struct fdb *, uint16_t);
uint32_t fdb_age(struct fdb *, uint32_t);

static inline uint16_t
fdb_entry_vid(const struct fdb_entry *fe)
{
	return (fe->fe_key >> 48) & 0x0fff;
}

void	 fdb_entry_mac(const struct fdb_entry *, uint8_t *);

/* Walk live entries in table order; stop early when fn returns non-zero. */
int	 fdb_walk(const struct fdb *, int (*)(const struct fdb_entry *, void *),
	    void *);

#endif /* FWD_FDB_H */
