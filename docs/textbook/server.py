# The textbook's threaded TCP server: every chunk a client sends is printed
# and answered in GBK. netdiag's docs run it on the lab's srv.test:9091.
import socket
import threading


def serve(conn, addr):
    while True:
        data = conn.recv(1024)
        if not data:
            break
        print(addr, data.decode("gbk", errors="replace"), flush=True)
        conn.send("ok, 问题正在处理中...".encode("gbk"))
    conn.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 9091))
server.listen(128)
while True:
    conn, addr = server.accept()
    threading.Thread(target=serve, args=(conn, addr), daemon=True).start()
