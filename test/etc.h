/*
 * What tests build sluiced's configuration with: a directory laid out
 * like /etc, written one file at a time.
 */
#ifndef TEST_ETC_H
#define TEST_ETC_H

#include <stdio.h>

/* Write TEXT to DIR/NAME; 0, or -1 if the file cannot be written. */
static inline int
etc_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

#endif /* TEST_ETC_H */
