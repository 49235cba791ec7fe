/*
 * Reference CAC for benchmarks only (not shipped, not part of the build): libcacard's soft CAC, either timed in
 * process or served to vsmartcard's vpcd with TCP_NODELAY and TCP_QUICKACK after every read.
 *
 *   cacard-ref DBDIR inproc SECONDS
 *   cacard-ref DBDIR vpcd HOST PORT
 *
 * DBDIR is an NSS database holding certificates "cert1".."cert3" (see ApduRateBench / README.md).
 */
#include <libcacard.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static VReader *reader;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int xfr(const unsigned char *c, int n, unsigned char *r)
{
    int len = 4096;
    if (vreader_xfr_bytes(reader, (unsigned char *) c, n, r, &len) != VREADER_OK)
        return -1;
    return len;
}

static void timeit(const char *name, const unsigned char *a, int an, const unsigned char *b, int bn, double secs)
{
    unsigned char r[4096];
    long ops = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 1000; i++) {
            xfr(a, an, r);
            if (b)
                xfr(b, bn, r);
        }
        ops += 1000;
    } while ((t = now()) - t0 < secs);
    printf("RESULT libcacard in process %s: %.0f ns/op\n", name, (t - t0) / ops * 1e9);
}

static int readn(int s, unsigned char *b, int n)
{
    int off = 0, one = 1;
    while (off < n) {
        ssize_t r = recv(s, b + off, n - off, 0);
        if (r <= 0)
            return -1;
        setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        off += r;
    }
    return 0;
}

static int serve(const char *host, const char *port)
{
    struct addrinfo hints = { 0 }, *ai;
    unsigned char atr[64], buf[65536], resp[4096 + 2];
    int atrlen = sizeof atr, one = 1;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return 1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, ai->ai_addr, ai->ai_addrlen) != 0) {
        perror("connect");
        return 1;
    }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    vreader_power_on(reader, atr, &atrlen); /* answered from this cached ATR: GET ATR must not reset the card */
    for (;;) {
        unsigned char h[2];
        if (readn(s, h, 2) != 0)
            return 0;
        int n = h[0] << 8 | h[1];
        if (readn(s, buf, n) != 0)
            return 0;
        int out;
        if (n == 1) {
            if (buf[0] == 0x00) {
                vreader_power_off(reader);
                continue;
            }
            if (buf[0] == 0x01 || buf[0] == 0x02) {
                atrlen = sizeof atr;
                vreader_power_on(reader, atr, &atrlen);
                continue;
            }
            if (buf[0] != 0x04)
                continue;
            memcpy(resp + 2, atr, atrlen);
            out = atrlen;
        } else {
            out = xfr(buf, n, resp + 2);
            if (out < 0)
                return 1;
        }
        resp[0] = out >> 8;
        resp[1] = out;
        if (send(s, resp, out + 2, MSG_NOSIGNAL) != out + 2)
            return 0;
    }
}

int main(int argc, char **argv)
{
    char opts[1024];
    if (argc < 4)
        return 2;
    snprintf(opts, sizeof opts, "db=\"sql:%s\" use_hw=no soft=(,Virtual Reader,CAC,,cert1,cert2,cert3)", argv[1]);
    if (vcard_emul_init(vcard_emul_options(opts)) != VCARD_EMUL_OK) {
        fprintf(stderr, "vcard_emul_init failed\n");
        return 1;
    }
    reader = vreader_get_reader_by_name("Virtual Reader");
    if (!reader || vreader_card_is_present(reader) != VREADER_OK) {
        fprintf(stderr, "no card in the virtual reader\n");
        return 1;
    }
    unsigned char atr[64];
    int atrlen = sizeof atr;
    vreader_power_on(reader, atr, &atrlen);
    if (strcmp(argv[2], "inproc") == 0) {
        static const unsigned char sel[] = { 0x00, 0xA4, 0x04, 0x00, 0x07, 0xA0, 0x00, 0x00, 0x00, 0x79, 0x01, 0x00 };
        static const unsigned char gr[] = { 0x00, 0xC0, 0x00, 0x00, 0x0D };
        static const unsigned char sel0c[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x00, 0x79, 0x01, 0x00 };
        unsigned char r[4096];
        xfr(sel0c, sizeof sel0c, r);
        unsigned char gp[] = { 0x00, 0x56, 0x01, 0x00, 0xFF };
        int n = xfr(gp, sizeof gp, r); /* 6C xx: learn the exact length */
        if (n == 2 && r[0] == 0x6C)
            gp[4] = r[1];
        double secs = atof(argv[3]);
        timeit("GET PROPERTIES (PKI, exact Le)", gp, sizeof gp, NULL, 0, secs);
        timeit("SELECT PKI (61 0D)", sel, sizeof sel, NULL, 0, secs);
        timeit("SELECT + GET RESPONSE", sel, sizeof sel, gr, sizeof gr, secs);
        return 0;
    }
    return serve(argv[3], argv[4]);
}
