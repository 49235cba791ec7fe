/*
 * Test peer for ccid.transport.vsc's reader side: libcacard's CAC emulation (an NSS soft card with three
 * certificates) served as a VSC client, the way vscclient does it (vscclient itself is not packaged in Debian).
 * Test helper only, compiled by CacardClientTest:
 *   gcc -o vsc-cacard-client vsc-cacard-client.c $(pkg-config --cflags --libs libcacard)
 *   vsc-cacard-client HOST PORT NSSDB_DIR
 * stdin commands: "remove" (VSC_CardRemove), "insert" (VSC_ATR again), "exit" (VSC_ReaderRemove, quit).
 * Prints "READY <atr hex>" once the host accepted the ATR.
 */
#include <libcacard.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock = -1;
static uint32_t reader_id = VSCARD_UNDEFINED_READER_ID;

static int io_all(int write_it, void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t r = write_it ? write(sock, p, n) : read(sock, p, n);
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

static void send_vsc(uint32_t type, uint32_t reader, const void *payload, uint32_t len)
{
    unsigned char *m = malloc(12 + len);
    uint32_t h[3] = { htonl(type), htonl(reader), htonl(len) };
    memcpy(m, h, 12);
    if (len) {
        memcpy(m + 12, payload, len);
    }
    if (io_all(1, m, 12 + len) < 0) {
        fprintf(stderr, "write failed\n");
        exit(1);
    }
    free(m);
}

/* returns payload length, or -1 at end of stream */
static int recv_vsc(uint32_t *type, uint32_t *reader, unsigned char *buf, uint32_t max)
{
    uint32_t h[3];
    if (io_all(0, h, 12) < 0) {
        return -1;
    }
    *type = ntohl(h[0]);
    *reader = ntohl(h[1]);
    uint32_t len = ntohl(h[2]);
    if (len > max) {
        fprintf(stderr, "message of %u bytes too long\n", len);
        exit(1);
    }
    if (len && io_all(0, buf, len) < 0) {
        return -1;
    }
    return (int) len;
}

static uint32_t expect_error(unsigned char *buf)
{
    uint32_t type, reader, code;
    int n = recv_vsc(&type, &reader, buf, 70000);
    if (n != 4 || type != VSC_Error) {
        fprintf(stderr, "expected VSC_Error, got type %u length %d\n", type, n);
        exit(1);
    }
    memcpy(&code, buf, 4);
    reader_id = reader;
    return ntohl(code);
}

static void send_atr(VReader *reader, unsigned char *buf)
{
    unsigned char atr[64];
    int atr_len = sizeof(atr);
    vreader_power_on(reader, atr, &atr_len);
    send_vsc(VSC_ATR, reader_id, atr, (uint32_t) atr_len);
    uint32_t code = expect_error(buf);
    printf("%s", code == VSC_SUCCESS ? "READY " : "ATR REFUSED ");
    for (int i = 0; i < atr_len; i++) {
        printf("%02X", atr[i]);
    }
    printf("\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static unsigned char buf[70000], out[70000];
    char opts[1024];
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT NSSDB_DIR\n", argv[0]);
        return 2;
    }
    snprintf(opts, sizeof(opts),
             "db=\"sql:%s\" use_hw=no soft=(,Virtual Reader,CAC,,cert1,cert2,cert3)", argv[3]);
    if (vcard_emul_init(vcard_emul_options(opts)) != VCARD_EMUL_OK) {
        fprintf(stderr, "vcard_emul_init failed\n");
        return 3;
    }
    VReaderList *list = vreader_get_reader_list();
    VReader *reader = vreader_list_get_reader(vreader_list_get_first(list));
    for (int i = 0; i < 100 && vreader_card_is_present(reader) != VREADER_OK; i++) {
        usleep(50000);
    }

    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
        return 4;
    }
    sock = socket(ai->ai_family, SOCK_STREAM, 0);
    if (sock < 0 || connect(sock, ai->ai_addr, ai->ai_addrlen) < 0) {
        fprintf(stderr, "cannot connect\n");
        return 4;
    }
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    /* VSC_Init: magic "VSCD" as bytes, version 0.0.2, one capability word */
    unsigned char init[12] = { 'V', 'S', 'C', 'D', 0, 0, 0, 2, 0, 0, 0, 0 };
    send_vsc(VSC_Init, 0, init, sizeof(init));
    uint32_t type, rid;
    int n = recv_vsc(&type, &rid, buf, sizeof(buf));
    if (n < 8 || type != VSC_Init || memcmp(buf, "VSCD", 4) != 0) {
        fprintf(stderr, "bad host VSC_Init\n");
        return 5;
    }
    send_vsc(VSC_ReaderAdd, VSCARD_UNDEFINED_READER_ID, "libcacard reader", 17);
    if (expect_error(buf) != VSC_SUCCESS) {
        fprintf(stderr, "reader refused\n");
        return 5;
    }
    send_atr(reader, buf);

    struct pollfd fds[2] = { { .fd = sock, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            return 1;
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            char line[64];
            if (!fgets(line, sizeof(line), stdin) || strncmp(line, "exit", 4) == 0) {
                send_vsc(VSC_ReaderRemove, reader_id, NULL, 0);
                expect_error(buf);
                return 0;
            }
            if (strncmp(line, "remove", 6) == 0) {
                send_vsc(VSC_CardRemove, reader_id, NULL, 0);
                printf("REMOVED %u\n", expect_error(buf));
                fflush(stdout);
            } else if (strncmp(line, "insert", 6) == 0) {
                send_atr(reader, buf);
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            n = recv_vsc(&type, &rid, buf, sizeof(buf));
            if (n < 0) {
                return 0;
            }
            if (type == VSC_APDU) {
                int out_len = sizeof(out);
                if (vreader_xfr_bytes(reader, buf, n, out, &out_len) == VREADER_OK) {
                    send_vsc(VSC_APDU, rid, out, (uint32_t) out_len);
                } else {
                    uint32_t code = htonl(VSC_GENERAL_ERROR);
                    send_vsc(VSC_Error, rid, &code, 4);
                }
            } else if (type == VSC_Flush) {
                send_vsc(VSC_FlushComplete, rid, NULL, 0);
            }
        }
    }
}
