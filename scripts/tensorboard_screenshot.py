"""Screenshot a page in headless Chromium after clicking TensorBoard's "Color by: Device" (CDP over a
stdlib websocket). Usage: python3 scripts/tensorboard_screenshot.py URL OUT.png (docs/tensorboard-seed.png:
idrun export graphs/cross_device_reads.yaml --format tensorboard -o DIR; tensorboard --logdir DIR
--host 127.0.0.1 --port 6124; URL http://127.0.0.1:6124/#graphs&run=.)."""
import base64, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request
URL, OUT = sys.argv[1], sys.argv[2]
port = 9333
chrome = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tempfile.mkdtemp()}",
    "--window-size=1400,900", f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(50):
        try:
            tabs = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json").read()); break
        except OSError: time.sleep(0.2)
    ws_url = [t for t in tabs if t["type"] == "page"][0]["webSocketDebuggerUrl"]
    path = "/" + ws_url.split("/", 3)[3]
    s = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.send(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf: buf += s.recv(4096)
    buf = buf.split(b"\r\n\r\n", 1)[1]
    def recv_exact(n):
        global buf
        while len(buf) < n: buf += s.recv(1 << 20)
        out, buf = buf[:n], buf[n:]; return out
    def recv_msg():
        b1, b2 = recv_exact(2); n = b2 & 127
        if n == 126: n = struct.unpack(">H", recv_exact(2))[0]
        elif n == 127: n = struct.unpack(">Q", recv_exact(8))[0]
        return json.loads(recv_exact(n))
    ids = [0]
    def call(method, **params):
        ids[0] += 1
        data = json.dumps({"id": ids[0], "method": method, "params": params}).encode()
        mask = os.urandom(4); n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", n))
        s.send(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        while True:
            m = recv_msg()
            if m.get("id") == ids[0]: return m
    call("Page.navigate", url=URL); time.sleep(8)
    js = """(function(){function all(root,acc){for(const el of root.querySelectorAll('*')){acc.push(el);if(el.shadowRoot)all(el.shadowRoot,acc);}return acc;}
      const els=all(document,[]); const r=els.filter(e=>e.tagName==='PAPER-RADIO-BUTTON' && (e.getAttribute('name')==='device'||/device/i.test(e.textContent)));
      if(r.length){r[0].click(); return 'clicked '+r.length+' '+r[0].textContent.trim();} return 'none of '+els.length;})()"""
    print(call("Runtime.evaluate", expression=js, returnByValue=True)["result"]["result"].get("value"))
    time.sleep(3)
    shot = call("Page.captureScreenshot", format="png")["result"]["data"]
    open(OUT, "wb").write(base64.b64decode(shot)); print("wrote", OUT)
finally:
    chrome.terminate(); chrome.wait(10)
