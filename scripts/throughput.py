#!/usr/bin/python3
"""Start onewindow dev, upload a corpus folder (or one file), wait until every batch is done.
Prints pages per minute; with --rss, the daemon's peak resident memory (VmHWM) too."""
import glob, json, os, secrets, signal, socket, subprocess, sys, tempfile, time, urllib.request, uuid

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def call(base, token, method, path, body=None, headers=None):
    h = {"Authorization": "Bearer " + token}; h.update(headers or {})
    with urllib.request.urlopen(urllib.request.Request(base + path, data=body, method=method, headers=h), timeout=600) as r:
        return json.loads(r.read())

def upload(base, token, path):
    b = uuid.uuid4().hex
    body = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{os.path.basename(path)}"\r\n\r\n'.encode()
            + open(path, "rb").read() + f"\r\n--{b}--\r\n".encode())
    return call(base, token, "POST", "/api/v1/batches", body, {"Content-Type": "multipart/form-data; boundary=" + b})["id"]

def peak_mb(pid):
    """Peak resident memory (VmHWM) of a live process, in MB."""
    return int([l for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")][0].split()[1]) / 1024

def children(pid):
    """The daemon's OCR engine processes (its direct children other than Redis and MinIO)."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        for c in open(f"/proc/{pid}/task/{task}/children").read().split():
            if "ocr-engine" in open(f"/proc/{c}/cmdline").read():
                out.append(int(c))
    return out

def main():
    binary, target = sys.argv[1], sys.argv[2]
    files = [target] if os.path.isfile(target) else sorted(f for f in glob.glob(os.path.join(target, "batch-*")) if not f.endswith(".json"))
    data, token, port = tempfile.mkdtemp(prefix="ow-bench-"), secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([binary, "dev", "--addr", f"127.0.0.1:{port}", "--data-dir", data], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(data, "daemon.log"), "wb"), env=dict(os.environ, ONEWINDOW_ADMIN_TOKEN=token),
                            start_new_session=True)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=2); break
            except Exception:
                time.sleep(0.5)
        t0 = time.monotonic()
        ids = [upload(base, token, f) for f in files]
        pages = 0
        while ids:
            for i in list(ids):
                b = call(base, token, "GET", "/api/v1/batches/" + i)
                if b["status"] in ("done", "failed"):
                    pages += b["pages_total"]; ids.remove(i)
            time.sleep(0.5)
        rate = pages / (time.monotonic() - t0) * 60
        if "--rss" in sys.argv:
            engines = [peak_mb(c) for c in children(proc.pid)]
            print(f"{'onewindow dev, %s (%d pages)' % (os.path.basename(target), pages):44s} {rate:8.1f} pages/min, "
                  f"peak RSS {peak_mb(proc.pid):.0f} MB, OCR engine processes {', '.join('%.0f' % e for e in engines) or 'none'} MB")
        else:
            print(f"{rate:.1f}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM); proc.wait(timeout=60)
        subprocess.run(["rm", "-rf", data])

main()
