"""Runs a command in a pseudo-terminal and answers its prompts, like a person at a keyboard.

usage: pty-answer.py CWD SCRIPT.json -- CMD ARGS...
SCRIPT.json is a list of [text to wait for, keys to type]; "\r" is Enter. Prints the transcript.
"""
import fcntl, json, os, pty, select, signal, struct, sys, termios, time

cwd, script_path = sys.argv[1], sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]
script = json.load(open(script_path))
pid, fd = pty.fork()
if pid == 0:
    os.chdir(cwd)
    os.environ["TERM"] = "xterm"
    os.execvp(command[0], command)

# A real terminal has a size; without one, prompt libraries wrap at column 0.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
transcript = b""
deadline = time.time() + float(os.environ.get("PTY_TIMEOUT", "60"))
step = 0
seen_upto = 0
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk
    if step < len(script):
        wait_for, keys = script[step]
        at = transcript.find(wait_for.encode(), seen_upto)
        if at >= 0:
            seen_upto = at + len(wait_for)
            time.sleep(0.15)
            os.write(fd, keys.encode())
            step += 1
done, status = os.waitpid(pid, os.WNOHANG)
if done == 0:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
sys.stdout.write(transcript.decode("utf8", "replace"))
sys.stdout.write(f"\n[exit {os.waitstatus_to_exitcode(status)}; answered {step}/{len(script)}]\n")
