"""Write every ICMP error the namespace's interfaces receive to a pcap file, at once:
``python sniff.py FILE``.

Run inside a namespace (``ip netns exec``): every interface but ``lo``, since an answer may
come back by another interface than the one the probes left by. It says ``listening`` once
the socket is open, and stops at SIGTERM.

A plain packet socket hands over each frame as it comes; tcpdump (libpcap 1.10, TPACKET_V3)
can keep the last frames of a burst in its ring and lose them when stopped, which made a
capture miss the last answers of a traceroute. The receive buffer is large (a router in a
loop may carry hundreds of other probes while it waits for its own answers) and only ICMP
errors are written, so that the capture never falls behind and drops a frame.
"""

import signal
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SO_RCVBUFFORCE = 33  # SO_RCVBUF beyond net.core.rmem_max, for root (Linux)
RECEIVE_BUFFER = 64 << 20
ICMP_ERRORS = (3, 11)  # destination unreachable, time exceeded


def icmp_error(frame: bytes) -> bool:
    """True for an Ethernet frame carrying an ICMP destination unreachable or time exceeded."""
    ip = frame[14:]
    header = (ip[0] & 0x0F) * 4 if ip else 0
    return len(ip) > header and ip[9] == 1 and ip[header] in ICMP_ERRORS


def main(path: str) -> None:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # Ethernet
        out.flush()
        print("listening", flush=True)
        while True:
            frame, address = sock.recvfrom(65535)
            if address[2] == PACKET_OUTGOING or address[0] == "lo" or not icmp_error(frame):
                continue
            now = time.time()
            out.write(struct.pack("<IIII", int(now), int(now % 1 * 1e6), len(frame), len(frame)))
            out.write(frame)
            out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
