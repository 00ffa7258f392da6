"""The planted hot spot: hot() does most of the work; cold() calls a small helper often."""
import sys


def hot(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


def helper(x):
    return x + 1


def cold(n):
    s = 0
    for _ in range(n):
        s = helper(s)
    return s


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    total = 0
    for _ in range(reps):
        total += hot(1_000_000)
        total += cold(50_000)
    print(total)


if __name__ == "__main__":
    main()
