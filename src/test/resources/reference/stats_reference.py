#!/usr/bin/env python3
"""Reference values for tiermark's statistics, computed independently of the Java code.

SciPy cannot be installed where tiermark is built, so this script re-implements the formulas
SciPy 1.11 / scikit-posthocs 0.9 use, in plain Python (standard library only), with its own
special functions (Numerical Recipes' series and continued fractions for the incomplete gamma and
beta functions, math.erfc for the normal tail). It also checks those special functions against
closed forms (chi2 with 2 df: exp(-x/2); t with 1 df: Cauchy; t with 2 df: closed form) and
against values printed in SciPy's documentation, then writes stats-reference.json, which
StatsReferenceTest compares with the Java implementation.

Run: python3 stats_reference.py ../paper/whitebox-latency.csv ../paper/blackbox-latency.csv > stats-reference.json
"""
import csv
import json
import math
import sys


# ---------- special functions ----------
def gammq(a, x):
    """Regularized upper incomplete gamma Q(a, x)."""
    if x <= 0:
        return 1.0
    if x < a + 1:
        ap, s, d = a, 1.0 / a, 1.0 / a
        for _ in range(100000):
            ap += 1
            d *= x / ap
            s += d
            if abs(d) < abs(s) * 1e-16:
                break
        return 1.0 - s * math.exp(-x + a * math.log(x) - math.lgamma(a))
    b = x + 1 - a
    c = 1 / 1e-300
    d = 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        de = d * c
        h *= de
        if abs(de - 1) < 1e-16:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def betacf(a, b, x):
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1e-300 if abs(d) < 1e-300 else d
    d = 1 / d
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1e-300 if abs(d) < 1e-300 else d
        c = 1 + aa / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1e-300 if abs(d) < 1e-300 else d
        c = 1 + aa / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        de = d * c
        h *= de
        if abs(de - 1) < 1e-16:
            break
    return h


def betai(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1 - math.exp(lbt) * betacf(b, a, 1 - x) / b


def chi2_sf(x, df):
    return gammq(df / 2, x / 2)


def t_sf(t, df):
    tail = 0.5 * betai(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1 - tail


def norm_sf(z):
    return 0.5 * math.erfc(z / math.sqrt(2))


def close(a, b, rel=1e-9):
    assert abs(a - b) <= rel * max(abs(a), abs(b)), (a, b)


# closed forms
for x in (0.3, 2.0, 7.0, 40.0, 300.0):
    close(chi2_sf(x, 2), math.exp(-x / 2))
for t in (0.2, 1.5, 30.0):
    close(t_sf(t, 1), 0.5 - math.atan(t) / math.pi)
    close(t_sf(t, 2), 0.5 - t / (2 * math.sqrt(2 + t * t)))


# ---------- ranks ----------
def midranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    ties = []
    while i < len(order):
        j = i
        while j < len(order) and values[order[j]] == values[order[i]]:
            j += 1
        for k in range(i, j):
            r[order[k]] = (i + j + 1) / 2
        ties.append(j - i)
        i = j
    return r, ties


def kruskal(groups):
    allv = [v for g in groups for v in g]
    n = len(allv)
    r, ties = midranks(allv)
    s, at = 0.0, 0
    for g in groups:
        rs = sum(r[at:at + len(g)])
        s += rs * rs / len(g)
        at += len(g)
    h = 12 / (n * (n + 1)) * s - 3 * (n + 1)
    h /= 1 - sum(t ** 3 - t for t in ties) / (n ** 3 - n)
    return h, chi2_sf(h, len(groups) - 1)


def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out, run = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        run = max(run, min(1.0, (m - rank) * p[i]))
        out[i] = run
    return out


def conover(groups, adjust):
    allv = [v for g in groups for v in g]
    n, k = len(allv), len(groups)
    r, ties = midranks(allv)
    means, at = [], 0
    for g in groups:
        means.append(sum(r[at:at + len(g)]) / len(g))
        at += len(g)
    x_ties = min(1.0, 1 - sum(t ** 3 - t for t in ties) / (n ** 3 - n))
    h_cor, _ = kruskal(groups)
    if x_ties == 1:
        s2 = n * (n + 1) / 12
    else:
        s2 = (1 / (n - 1)) * (sum(x * x for x in r) - n * ((n + 1) ** 2 / 4))
    pairs, ps = [], []
    for i in range(k):
        for j in range(i + 1, k):
            b = 1 / len(groups[i]) + 1 / len(groups[j])
            d = (n - 1 - h_cor) / (n - k)
            t = abs(means[i] - means[j]) / math.sqrt(s2 * b * d)
            pairs.append((i, j))
            ps.append(min(1.0, 2 * t_sf(abs(t), n - k)))
    if adjust:
        ps = holm(ps)
    mat = [[1.0] * k for _ in range(k)]
    for (i, j), p in zip(pairs, ps):
        mat[i][j] = mat[j][i] = p
    return mat


def mannwhitney_asymptotic(x, y):
    n1, n2 = len(x), len(y)
    r, ties = midranks(list(x) + list(y))
    u1 = sum(r[:n1]) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    n = n1 + n2
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - sum(t ** 3 - t for t in ties) / (n * (n - 1))))
    z = (u - n1 * n2 / 2 - 0.5) / s
    return u1, min(1.0, 2 * norm_sf(z))


def cliffs(x, y):
    gt = sum(1 for a in x for b in y if a > b)
    lt = sum(1 for a in x for b in y if a < b)
    return (gt - lt) / (len(x) * len(y))


def wilcoxon_approx(x, y):
    d = [a - b for a, b in zip(x, y) if a != b]
    n = len(d)
    r, ties = midranks([abs(v) for v in d])
    rp = sum(ri for ri, di in zip(r, d) if di > 0)
    rm = sum(ri for ri, di in zip(r, d) if di < 0)
    t = min(rp, rm)
    mn = n * (n + 1) / 4
    se = math.sqrt((n * (n + 1) * (2 * n + 1) - 0.5 * sum(k * (k * k - 1) for k in ties)) / 24)
    return t, 2 * norm_sf(abs((t - mn) / se)), n


# values printed in SciPy's documentation (scipy.stats.kruskal, mannwhitneyu, wilcoxon examples)
h, p = kruskal([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
close(h, 0.2727272727272734, 1e-12)
close(p, 0.6015081344405895, 1e-9)
h, p = kruskal([[1, 1, 1], [2, 2, 2], [2, 2]])
close(h, 7.0, 1e-12)
close(p, 0.0301973834223185, 1e-9)
u, p = mannwhitney_asymptotic([19, 22, 16, 29, 24], [20, 11, 17, 12])
close(u, 17.0)
close(p, 0.11134688653314041, 1e-9)
t, p, _ = wilcoxon_approx([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75], [0] * 15)
close(t, 24.0)
close(p, 0.04088813291185591, 1e-9)


# ---------- the reference file ----------
def read_paper(path):
    cells = {}
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for value, device, model in rows:
            words = model.split()
            cells.setdefault((words[0], " ".join(words[1:]), device), []).append(float(value.strip()))
    return cells


def case(name, kind, groups, **extra):
    return dict(name=name, kind=kind, groups=groups, **extra)


out = {"generatedBy": "stats_reference.py (pure Python re-implementation of SciPy 1.11 / scikit-posthocs 0.9 formulas)",
       "cases": []}
small = [[2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4], [2.8, 3.4, 3.7, 2.2, 2.0]]
tied = [[1, 2, 2, 3, 3, 3, 4], [2, 3, 3, 4, 4, 5, 5, 5], [1, 1, 2, 2, 3]]
white = read_paper(sys.argv[1])
black = read_paper(sys.argv[2])
resnet_edge_ops = ["", "SPTQ", "QAT", "Pruned", "Distilled", "Distilled SPTQ"]
edge = [white[("ResNet", o, "Edge")] for o in resnet_edge_ops]
resnet_devices = ["Mobile", "Edge", "Cloud", "Mobile-Edge", "Edge-Cloud", "Mobile-Cloud"]
devices = [black[("ResNet", "", d)] for d in resnet_devices]
bert_cloud = [white[("Bert", o, "Cloud")] for o in resnet_edge_ops]
for name, groups in (("small", small), ("tied", tied), ("whitebox ResNet Edge by operator", edge),
                     ("blackbox ResNet identity by deployment", devices), ("whitebox Bert Cloud by operator", bert_cloud)):
    h, p = kruskal(groups)
    out["cases"].append(dict(name=name, kind="kruskal+conover", source=name.split()[0] if " " in name else "inline",
                             groups=groups if name in ("small", "tied") else None,
                             h=h, p=p, conover=conover(groups, False), conoverHolm=conover(groups, True)))
for name, x, y in (("small", small[0], small[1]), ("tied", tied[0], tied[1]),
                   ("whitebox ResNet Edge distill+sptq vs identity", edge[5], edge[0]),
                   ("whitebox ResNet Edge pruned vs identity", edge[3], edge[0])):
    u, p = mannwhitney_asymptotic(x, y)
    out["cases"].append(dict(name=name, kind="mannwhitney+cliffs", x=x if len(x) < 20 else None,
                             y=y if len(y) < 20 else None, u=u, p=p, cliffsDelta=cliffs(x, y)))
px = [1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1] * 10
py = [1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0] * 10
t, p, n = wilcoxon_approx(px, py)
out["cases"].append(dict(name="paired 0/1 accuracy", kind="wilcoxon", x=px, y=py, statistic=t, p=p, n=n))
cx = [0.91, 0.85, 0.77, 0.95, 0.66, 0.81, 0.88, 0.79, 0.93, 0.70, 0.84, 0.90]
cy = [0.89, 0.86, 0.70, 0.91, 0.60, 0.81, 0.80, 0.75, 0.94, 0.64, 0.80, 0.85]
t, p, n = wilcoxon_approx(cx, cy)
out["cases"].append(dict(name="paired scores with a zero and ties", kind="wilcoxon", x=cx, y=cy, statistic=t, p=p, n=n))
json.dump(out, sys.stdout, indent=1)
