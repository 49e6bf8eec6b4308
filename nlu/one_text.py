"""scikit-learn's TF-IDF and logistic regression applied to one text at a time.

A chat message is one text, and scikit-learn's estimators are built for batches: each
`transform` or `predict_proba` call validates its input, and since scikit-learn 1.6 that
includes a dataframe-library probe (narwhals) which costs more than the arithmetic for a single
short text. Profiled, a one-message parse spent about two thirds of its time there.

These functions use the fitted estimators' own pieces (vocabulary counting, `idf_`, the CSR
row normalizer, `coef_`/`intercept_`, `softmax`) and skip only that validation. Whenever an
estimator is configured in a way they do not cover, they call scikit-learn's own method. Tests
check both results agree for the project's models (`tests/unit/test_nlu_engine.py`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.extmath import softmax
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def tfidf(vectorizer: TfidfVectorizer, text: str) -> Any:
    """`vectorizer.transform([text])`: a 1 x n_features CSR row."""
    tfidf_part = getattr(vectorizer, "_tfidf", None)
    if (
        type(vectorizer) is not TfidfVectorizer
        or vectorizer.binary
        or vectorizer.norm != "l2"
        or tfidf_part is None
        or not hasattr(tfidf_part, "idf_")
    ):
        return vectorizer.transform([text])
    counts = CountVectorizer.transform(vectorizer, [text])
    counts = counts.astype(np.float64) if counts.dtype not in (np.float32, np.float64) else counts
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= tfidf_part.idf_[counts.indices]
    inplace_csr_row_normalize_l2(counts)
    return counts


def probabilities(classifier: LogisticRegression, features: Any) -> FloatArray:
    """`classifier.predict_proba(features)[0]` for one row of features."""
    if len(classifier.classes_) <= 2:  # binary: a different formula, rare here
        return np.asarray(classifier.predict_proba(features)[0], dtype=np.float64)
    scores = np.asarray(features @ classifier.coef_.T, dtype=np.float64) + classifier.intercept_
    return np.asarray(softmax(scores, copy=False)[0], dtype=np.float64)
