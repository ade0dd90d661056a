# The textbook's TCP client: connect, send a greeting in GBK, print the
# reply. netdiag's docs run it against the lab's netdiag tcp server.
import socket

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(("127.0.0.1", 9090))
client.send("你好服务端,我是客户端小黑!".encode("gbk"))
data = client.recv(1024)
print(data.decode("gbk"))
client.close()
