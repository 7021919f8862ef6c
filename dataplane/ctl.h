/*
 * The control socket between sluicectl and sluiced: a UNIX stream socket.
 * A request is a 4-byte length and the arguments, each NUL-terminated; the
 * answer is a 4-byte exit status and the command's output until close.
 * Lengths and status are in host order: both ends are on one machine.
 */
#ifndef DP_CTL_H
#define DP_CTL_H

#include "dataplane/dp.h"

#define CTL_DEFAULT_SOCKET	"/run/sluice/sluiced.sock"
#define CTL_MAX_REQUEST		65536
#define CTL_MAX_ARGS		256

int	 ctl_listen(const char *, char *, size_t);
void	 ctl_serve(struct dp *, int);
int	 ctl_request(const char *, int, char **, FILE *, FILE *);
int	 ctl_open(const char *, int, char **, FILE *);
int	 ctl_status(int, int32_t *);

#endif /* DP_CTL_H */
