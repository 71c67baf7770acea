"""The reference for `npm run bench:insights`: scikit-learn's plain logistic regression on the
same yes/no features and the same time-ordered split as Smarketing's learned score, and on the
raw Bank Marketing columns (one-hot text, standardised numbers, `duration` left out).
Debian's python3-sklearn; run by bench/lib/insights-bank.ts only, never in CI.

Arguments: design.csv (split,label,space-separated feature indices), feature count,
bank-additional-full.csv, training rows (the first n by date), our chosen lambda.
"""
import csv
import json
import sys

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def figures(y, p):
    order = np.argsort(-p, kind="stable")
    top = max(1, round(len(y) / 10))
    lift = y[order[:top]].mean() / y.mean()
    return {
        "auc": float(roc_auc_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "logLoss": float(log_loss(y, p)),
        "liftAtTopDecile": float(lift),
    }


def main():
    design, features, raw, split, lam = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    rows, cols, labels, is_train = [], [], [], []
    with open(design) as handle:
        for i, line in enumerate(handle):
            part, label, indices = line.rstrip("\n").split(",")
            labels.append(int(label))
            is_train.append(part == "train")
            for index in indices.split():
                rows.append(i)
                cols.append(int(index))
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(labels), features))
    y = np.array(labels)
    train = np.array(is_train)
    out = {}
    for name, c in [("sameFeaturesDefaultC1", 1.0), ("sameFeaturesOurLambda", 1.0 / lam), ("sameFeaturesNearlyUnpenalised", 1e4)]:
        model = LogisticRegression(C=c, max_iter=5000)
        model.fit(x[train], y[train])
        out[name] = figures(y[~train], model.predict_proba(x[~train])[:, 1])

    with open(raw, newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        records = list(reader)
    text = ["job", "marital", "education", "default", "housing", "loan", "contact", "month", "day_of_week", "poutcome"]
    numbers = ["age", "campaign", "pdays", "previous", "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"]
    matrix = np.array([[r[c] for c in text] + [float(r[c]) for c in numbers] for r in records], dtype=object)
    target = np.array([1 if r["y"] == "yes" else 0 for r in records])
    prep = ColumnTransformer([
        ("text", OneHotEncoder(handle_unknown="ignore"), list(range(len(text)))),
        ("numbers", StandardScaler(), list(range(len(text), len(text) + len(numbers)))),
    ])
    pipeline = make_pipeline(prep, LogisticRegression(C=1.0, max_iter=5000))
    pipeline.fit(matrix[:split], target[:split])
    out["rawColumnsDefaultC1"] = figures(target[split:], pipeline.predict_proba(matrix[split:])[:, 1])
    print(json.dumps(out))


main()
