/*
 * test_osfp.c: pf.os(5) as pfctl reads it, names as pfctl_get_fingerprint()
 * and pfctl_lookup_fingerprint() take and give them, SYNs as
 * pf_osfp_fingerprint_hdr() and pf_osfp_find() see them, and `os' in a
 * pf.conf (set fingerprints, the printed names, the -vv warning).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "acl/pf.h"
#include "acl/pf_osfp.h"
#include "acl_test.h"

static char dir[] = "/tmp/sluice-osfp-XXXXXX";
static char path[sizeof(dir) + 16];

static void
mkdir_once(void)
{
	if (strchr(dir, 'X') != NULL)
		cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pf.os", dir);
}

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

/* db from text; what was said about it goes to *err (may be NULL) */
static struct acl_osfp_db *
db_of(const char *text, char **err)
{
	struct acl_osfp_db *db = acl_osfp_new();
	FILE *f, *e;
	char *buf = NULL;
	size_t len;

	mkdir_once();
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	e = open_memstream(&buf, &len);
	cr_assert_eq(acl_osfp_read(db, path, "pf.os", e), 0);
	fclose(e);
	if (err != NULL)
		*err = buf;
	else {
		cr_expect_str_empty(buf);
		free(buf);
	}
	return db;
}

static const char lab[] =
    "# a comment, then blank lines\n"
    "\n"
    "S44:64:1:60:M*,S,T,N,W*:\tLinux:2.6:18-20:Linux 2.6.18 to 20\n"
    "S45:64:1:60:M*,S,T,N,W7:\tLinux:2.6::Linux 2.6, IPv6 window\n"
    "16384:64:1:64:M*,N,N,S,N,W3,N,N,T:\tOpenBSD:3.0-3.1::OpenBSD 3.0, 3.1\n"
    "%8192:128:1:48:M*,N,N,S:\tWindows:2000:SP4:Windows 2000 SP4\n"
    "T4:255:0:44:M1400:\t@Solaris:8::Solaris 8, generic\n"
    "*:64:0:*:.:\tNMap:OS:scan:an empty SYN\n"
    "32768:64:1:60:M*,N,W0,N,N,T0:\tFreeBSD:4.0:STABLE:FreeBSD 4.0-STABLE\n";

Test(osfp, file_names_and_counts, .fini = cleanup)
{
	struct acl_osfp_db *db = db_of(lab, NULL);
	char buf[96];
	uint32_t os;

	/* 18-20 and 3.0-3.1 expand (3 + 1, 2 + 1 entries), each twice */
	cr_expect_eq(acl_osfp_count(db), 2 * (4 + 1 + 3 + 1 + 1 + 1 + 1));
	cr_expect_eq(acl_osfp_lookup(db, "unknown"), ACL_OSFP_UNKNOWN);
	cr_expect_eq(acl_osfp_lookup(db, "UNKNOWN"), ACL_OSFP_UNKNOWN);
	cr_expect_eq(acl_osfp_lookup(db, "BeOS"), ACL_OSFP_NOMATCH);
	cr_expect_eq(acl_osfp_lookup(db, "Linux 9"), ACL_OSFP_NOMATCH);
	cr_expect_eq(acl_osfp_lookup(db, "Linux 2.6.21"), ACL_OSFP_NOMATCH);
	cr_expect_eq(acl_osfp_lookup(NULL, "Linux"), ACL_OSFP_NOMATCH);

	/* a class, a version, "version.subtype" and "version subtype" */
	static const struct { const char *in, *out; } names[] = {
		{ "linux", "Linux" },
		{ "Linux 2.6", "Linux 2.6" },
		{ "Linux 2.6.19", "Linux 2.6.19" },
		{ "linux 2.6-19", "Linux 2.6.19" },
		{ "Linux 2.6.18-20", "Linux 2.6.18-20" },
		{ "OpenBSD 3.1", "OpenBSD 3.1" },
		{ "Windows 2000 SP4", "Windows 2000 SP4" },
		{ "FreeBSD 4.0-STABLE", "FreeBSD 4.0 STABLE" },
		{ "Solaris", "Solaris" },	/* '@' is not in the name */
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		os = acl_osfp_lookup(db, names[i].in);
		cr_expect_neq(os, ACL_OSFP_NOMATCH, "%s", names[i].in);
		acl_osfp_name(db, os, buf, sizeof(buf));
		cr_expect_str_eq(buf, names[i].out, "%s", names[i].in);
	}
	acl_osfp_name(db, ACL_OSFP_NOMATCH, buf, sizeof(buf));
	cr_expect_str_eq(buf, "nomatch");
	acl_osfp_name(db, ACL_OSFP_UNKNOWN, buf, sizeof(buf));
	cr_expect_str_eq(buf, "unknown");
	acl_osfp_free(db);
}

Test(osfp, bad_lines_are_named_and_skipped, .fini = cleanup)
{
	char *err;
	struct acl_osfp_db *db = db_of(
	    "S4:64:1:60:M*,S,T,N,W*:Linux:2.6::good\n"
	    ":64:1:60:.:A:1::empty window\n"
	    "S4:300:1:60:.:A:1::ttl too big\n"
	    "S4:64:2:60:.:A:1::df is 0 or 1\n"
	    "S4:64:1:S60:.:A:1::no MSS multiple for the size\n"
	    "S4:64:1:%:.:A:1::a modulus without a value\n"
	    "S4:64:1:60:M*,Q:A:1::an option pf.os does not know\n"
	    "S4:64:1:60:Mx:A:1::a letter in the MSS\n"
	    "S4:64:1:60:M*,TS:A:1::a bad separator\n"
	    "S4:64:1:60:.::1::no class\n"
	    "S4:64:1:60:.:A:1::x\n"
	    "S4:64:1:60:.:A:1::excess:field\n"
	    "S4:64:1:60:.:nomatch:1::reserved\n"
	    "S4:64:1:60:M*,S,T,N,W*:Linux:2.6::the same again\n", &err);

	cr_expect_eq(acl_osfp_count(db), 2 + 2);	/* the good line, twice */
	cr_expect(strstr(err, "pf.os:2:1: empty window size\n") != NULL, "%s",
	    err);
	cr_expect(strstr(err, "pf.os:3:4: ttl value above 255\n") != NULL);
	cr_expect(strstr(err, "pf.os:4:7: don't fragment flag value above "
	    "1\n") != NULL);
	cr_expect(strstr(err, "pf.os:5:9: overall packet size does not "
	    "allow 'S'\n") != NULL);
	cr_expect(strstr(err, "pf.os:6:9: modulus overall packet size must "
	    "have a value\n") != NULL);
	cr_expect(strstr(err, "pf.os:7:15: unknown TCP option 'Q'\n") != NULL,
	    "%s", err);
	cr_expect(strstr(err, "pf.os:8:13: unknown character in the M TCP "
	    "option\n") != NULL, "%s", err);
	cr_expect(strstr(err, "pf.os:9:16: ',' expected after the T TCP "
	    "option\n") != NULL, "%s", err);
	cr_expect(strstr(err, "pf.os:10:") != NULL &&
	    strstr(err, "too short OS class") != NULL);
	cr_expect(strstr(err, "pf.os:11:") != NULL &&
	    strstr(err, "too short OS description") != NULL);
	cr_expect(strstr(err, "pf.os:12:") != NULL &&
	    strstr(err, "excess field") != NULL);
	cr_expect(strstr(err, "pf.os:13:1: fingerprint class \"nomatch\" is "
	    "reserved\n") != NULL);
	cr_expect(strstr(err, "pf.os:14: duplicate signature for Linux 2.6 "
	    "\n") != NULL, "%s", err);
	free(err);
	acl_osfp_free(db);
	db = acl_osfp_new();
	cr_expect_eq(acl_osfp_read(db, "/nonexistent/pf.os", "x", stderr), -1);
	acl_osfp_free(db);
}

/* a SYN: IPv4 (or IPv6) header and TCP header with its options */
struct syn {
	uint8_t	 ip[40];
	uint8_t	 tcp[60];
	size_t	 tcplen;
};

static struct syn
syn4(uint8_t ttl, int df, uint16_t win, const uint8_t *opt, size_t olen)
{
	struct syn s;
	uint16_t len = (uint16_t)(20 + 20 + olen);

	memset(&s, 0, sizeof(s));
	s.ip[0] = 0x45;
	s.ip[2] = (uint8_t)(len >> 8);
	s.ip[3] = (uint8_t)len;
	s.ip[6] = df ? 0x40 : 0;
	s.ip[8] = ttl;
	s.ip[9] = 6;
	s.tcp[12] = (uint8_t)((20 + olen) / 4 << 4);
	s.tcp[13] = 0x02;
	s.tcp[14] = (uint8_t)(win >> 8);
	s.tcp[15] = (uint8_t)win;
	if (olen > 0)
		memcpy(s.tcp + 20, opt, olen);
	s.tcplen = 20 + olen;
	return s;
}

static struct syn
syn6(uint8_t hlim, uint16_t win, const uint8_t *opt, size_t olen)
{
	struct syn s = syn4(hlim, 1, win, opt, olen);

	memset(s.ip, 0, sizeof(s.ip));
	s.ip[0] = 0x60;
	s.ip[4] = (uint8_t)((20 + olen) >> 8);
	s.ip[5] = (uint8_t)(20 + olen);
	s.ip[6] = 6;
	s.ip[7] = hlim;
	return s;
}

static uint16_t
fp(const struct acl_osfp_db *db, int af, const struct syn *s)
{
	return acl_osfp_fingerprint(db, af, s->ip, s->tcp, s->tcplen);
}

/* Linux's: MSS 1460, SACK permitted, timestamp, NOP, window scale 7 */
static const uint8_t linux_opts[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
};

Test(osfp, syns_find_their_signature, .fini = cleanup)
{
	struct acl_osfp_db *db = db_of(lab, NULL);
	struct syn s;
	uint16_t f;
	char buf[256];

	s = syn4(64, 1, 44 * 1460, linux_opts, sizeof(linux_opts));
	cr_assert_neq(f = fp(db, 4, &s), 0);
	cr_expect(acl_osfp_match(db, f, acl_osfp_lookup(db, "Linux")));
	cr_expect(acl_osfp_match(db, f, acl_osfp_lookup(db, "Linux 2.6")));
	cr_expect(acl_osfp_match(db, f, acl_osfp_lookup(db, "Linux 2.6.19")));
	cr_expect(!acl_osfp_match(db, f, acl_osfp_lookup(db, "OpenBSD")));
	cr_expect(!acl_osfp_match(db, f, ACL_OSFP_UNKNOWN));
	cr_expect(!acl_osfp_match(db, f, ACL_OSFP_NOMATCH));
	cr_expect(acl_osfp_match(db, f, ACL_OSFP_ANY));
	acl_osfp_describe(db, f, buf, sizeof(buf));
	cr_expect_str_eq(buf, "Linux 2.6.18, Linux 2.6.19, Linux 2.6.20, "
	    "Linux 2.6.18-20");

	/* up to 40 hops away; a TTL above the signature's is another OS */
	s.ip[8] = 24;
	cr_expect_eq(fp(db, 4, &s), f);
	s.ip[8] = 23;
	cr_expect_eq(fp(db, 4, &s), 0);
	s.ip[8] = 65;
	cr_expect_eq(fp(db, 4, &s), 0);
	s.ip[8] = 64;
	/* S44: 44 segments of its MSS, or of a "smart" box's 1460 */
	s.tcp[22] = 0x05;
	s.tcp[23] = 0x78;	/* MSS 1400 */
	cr_expect_eq(fp(db, 4, &s), f);
	s.tcp[14] = (uint8_t)(44 * 1400 >> 8);
	s.tcp[15] = (uint8_t)(44 * 1400);
	cr_expect_eq(fp(db, 4, &s), f);
	s.tcp[15]++;
	cr_expect_eq(fp(db, 4, &s), 0);
	/* not a SYN alone, DF off, a later fragment: none */
	s = syn4(64, 1, 44 * 1460, linux_opts, sizeof(linux_opts));
	s.tcp[13] = 0x12;
	cr_expect_eq(fp(db, 4, &s), 0);
	s = syn4(64, 0, 44 * 1460, linux_opts, sizeof(linux_opts));
	cr_expect_eq(fp(db, 4, &s), 0);
	s = syn4(64, 1, 44 * 1460, linux_opts, sizeof(linux_opts));
	s.ip[7] = 8;
	cr_expect_eq(fp(db, 4, &s), 0);
	/* options cut short, or one pf.os cannot name */
	s = syn4(64, 1, 44 * 1460, linux_opts, sizeof(linux_opts));
	s.tcp[21] = 40;
	cr_expect_eq(fp(db, 4, &s), 0);
	s = syn4(64, 1, 44 * 1460, linux_opts, sizeof(linux_opts));
	s.tcp[36] = 30;		/* MPTCP where the NOP was */
	s.tcp[37] = 1;
	cr_expect_eq(fp(db, 4, &s), 0);
	s.tcplen = 30;		/* the header says more than there is */
	cr_expect_eq(fp(db, 4, &s), 0);

	/* IPv6: the same line's twin, 20 bytes longer; S45 and W7 */
	s = syn6(64, 44 * 1460, linux_opts, sizeof(linux_opts));
	cr_expect_neq(f = fp(db, 6, &s), 0);
	uint8_t v6_opts[sizeof(linux_opts)];

	memcpy(v6_opts, linux_opts, sizeof(v6_opts));
	v6_opts[3] = 0xa0;	/* MSS 1440 */
	s = syn6(64, 45 * 1440, v6_opts, sizeof(v6_opts));
	cr_assert_neq(f = fp(db, 6, &s), 0);
	cr_expect(acl_osfp_match(db, f, acl_osfp_lookup(db, "Linux 2.6")));
	cr_expect(!acl_osfp_match(db, f, acl_osfp_lookup(db, "Linux 2.6.19")));
	s.tcp[39] = 6;		/* window scale 6 */
	cr_expect_eq(fp(db, 6, &s), 0);

	/* no options, no DF, any window and size */
	s = syn4(50, 0, 1024, NULL, 0);
	cr_assert_neq(f = fp(db, 4, &s), 0);
	cr_expect(acl_osfp_match(db, f, acl_osfp_lookup(db, "NMap")));
	/* a window that is a multiple of 8192, a timestamp of 0 */
	static const uint8_t win_opts[8] = { 2, 4, 5, 0xb4, 1, 1, 4, 2 };
	s = syn4(128, 1, 3 * 8192, win_opts, sizeof(win_opts));
	cr_expect(acl_osfp_match(db, fp(db, 4, &s),
	    acl_osfp_lookup(db, "Windows 2000 SP4")));
	static const uint8_t ts0_opts[20] = { 2, 4, 5, 0xb4, 1, 3, 3, 0,
	    1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0 };
	s = syn4(64, 1, 32768, ts0_opts, sizeof(ts0_opts));
	cr_expect(acl_osfp_match(db, fp(db, 4, &s),
	    acl_osfp_lookup(db, "FreeBSD")));
	s.tcp[33] = 1;		/* a timestamp: not T0 */
	cr_expect_eq(fp(db, 4, &s), 0);
	/* T4: four MTUs (MSS + 40) */
	static const uint8_t mss_opts[4] = { 2, 4, 0x05, 0x78 };
	s = syn4(255, 0, 4 * 1440, mss_opts, sizeof(mss_opts));
	cr_expect(acl_osfp_match(db, fp(db, 4, &s),
	    acl_osfp_lookup(db, "Solaris 8")));
	acl_osfp_free(db);

	/* no pf.os: nothing is known */
	s = syn4(64, 1, 44 * 1460, linux_opts, sizeof(linux_opts));
	cr_expect_eq(fp(NULL, 4, &s), 0);
	cr_expect(acl_osfp_match(NULL, 0, ACL_OSFP_UNKNOWN));
	cr_expect(!acl_osfp_match(NULL, 0, ACL_OSFP_NOMATCH));
}

Test(osfp, show_sorts_every_level, .fini = cleanup)
{
	struct acl_osfp_db *db = db_of(lab, NULL);
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	acl_osfp_show(db, f);
	fclose(f);
	cr_expect_str_eq(buf,
	    "Class\tVersion\tSubtype(subversion)\n"
	    "-----\t-------\t-------------------\n"
	    "FreeBSD\t\n" "FreeBSD\t4.0\t\n" "FreeBSD\t4.0\tSTABLE\t\n"
	    "Linux\t\n" "Linux\t2.6\t\n" "Linux\t2.6\t18\t\n"
	    "Linux\t2.6\t18-20\t\n" "Linux\t2.6\t19\t\n" "Linux\t2.6\t20\t\n"
	    "NMap\t\n" "NMap\tOS\t\n" "NMap\tOS\tscan\t\n"
	    "OpenBSD\t\n" "OpenBSD\t3.0\t\n" "OpenBSD\t3.0-3.1\t\n"
	    "OpenBSD\t3.1\t\n"
	    "Solaris\t\n" "Solaris\t8\t\n"
	    "Windows\t\n" "Windows\t2000\t\n" "Windows\t2000\tSP4\t\n");
	free(buf);
	acl_osfp_free(db);
}

Test(osfp, pf_conf_os_and_set_fingerprints, .fini = cleanup)
{
	struct acl_osfp_db *db = db_of(lab, NULL);
	struct acl_run r;
	char conf[512];

	acl_osfp_free(db);
	snprintf(conf, sizeof(conf),
	    "set fingerprints \"%s\"\n"
	    "pass in proto tcp from any os linux\n"
	    "pass in proto tcp from any os { \"openbsd 3.1\", unknown }\n"
	    "block in proto tcp from any os \"Plan 9\"\n", path);
	r = acl_run(conf, ACL_LOAD_VERBOSE | ACL_LOAD_VERBOSE2, 0);
	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_expect(strstr(r.out, "@0 pass in proto tcp from any os \"Linux\" "
	    "to any flags S/SA\n") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "@1 pass in proto tcp from any os "
	    "\"OpenBSD 3.1\" to any flags S/SA\n") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "@2 pass in proto tcp from any os \"unknown\" "
	    "to any flags S/SA\n") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "@3 block drop in proto tcp from any os "
	    "\"nomatch\" to any\n") != NULL, "%s", r.out);
	cr_expect(strstr(r.err, "warning: unknown 'Plan 9' OS fingerprint\n")
	    != NULL, "%s", r.err);
	cr_expect_eq(r.conf->root->rs.rules[0].os_fp,
	    acl_osfp_lookup(r.conf->osfp, "Linux"));
	cr_expect_eq(r.conf->root->rs.rules[2].os_fp, ACL_OSFP_UNKNOWN);
	cr_expect_eq(r.conf->root->rs.rules[3].os_fp, ACL_OSFP_NOMATCH);
	acl_run_free(&r);

	/* -W (sluiced) says so without -vv */
	r = acl_run(conf, ACL_LOAD_WARN, 0);
	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_expect(strstr(r.err, "stdin:4: warning: OS fingerprint 'Plan 9' is "
	    "not in pf.os: the rule matches nothing\n") != NULL, "%s", r.err);
	acl_run_free(&r);

	/* a file that is not there fails the load */
	r = acl_run("set fingerprints \"/nonexistent/pf.os\"\npass\n", 0, 0);
	cr_expect_eq(r.rv, -1);
	cr_expect(strstr(r.err, "pfctl: /nonexistent/pf.os: No such file or "
	    "directory\nstdin:1: error loading fingerprints "
	    "/nonexistent/pf.os\n") != NULL, "%s", r.err);
	acl_run_free(&r);
}
