"""The metric engine: per-example statistics, a reduction, a score.

Every metric is a subclass of :class:`Metric` that implements pure functions
of its options:

``check_inputs(predictions, references)``
    Validate and normalise one batch (the boundary: errors name the index).
``statistics(predictions, references) -> rows``
    One row of numbers per example (see :mod:`nlpmetrics.rows`).
``reduce(rows, weights) -> summary``
    What the score needs from the rows.  ``weights[i]`` counts how often row
    ``i`` is taken (resampling); ``weights`` may also be a matrix, one row of
    weights per resample, and then every array of the summary has that
    leading axis.
``score(summary) -> scores``
    The corpus scores; for a ``"sum"`` metric it takes batched summaries too
    and returns one array per key, which is what makes a bootstrap one matrix
    product and one vectorised call.
``describe(summary)``, ``per_example(rows)``
    Details for the result and per-example scores (optional).

and declares ``reduction``: ``"sum"`` when summaries of parts add up (the
default :meth:`Metric.reduce` sums every column), ``"rows"`` when the score
needs every row (correlations).

Everything else (streaming ``update``, ``merge`` across workers, constant
memory with ``keep_examples=False``, bootstrap intervals, paired tests,
distributed scoring, per-example scores) lives here, in
:mod:`nlpmetrics.state` and in :mod:`nlpmetrics.resampling`, with no
metric-specific code.
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from nlpmetrics.errors import InexactStreamingWarning, InputError
from nlpmetrics.options import Option, check_bool, resolve_options
from nlpmetrics.rows import Rows, as_rows, concat_rows, n_rows
from nlpmetrics.signature import Signature
from nlpmetrics.state import MetricState, StatePart
from nlpmetrics.validation import as_sequence, check_same_length

__all__ = ["CorpusPass", "InexactStreamingWarning", "Metric", "MetricInfo", "weighted_mean", "weighted_sum"]

Summary = dict[str, Any]

#: What a metric's predictions and references hold (``Metric.input_kind``).
INPUT_KINDS = ("labels", "numbers", "text", "tags", "answers", "rankings")


@dataclass(frozen=True)
class MetricInfo:
    """What a caller needs to know about a metric before reading its numbers.

    Attributes
    ----------
    name : str
        Registry name.
    higher_is_better : bool
        Direction of improvement.
    bounds : tuple of float
        Range of the main score (``(-1, 1)`` for correlations).
    extra : str or None
        The pip extra the metric needs (``"bertscore"``), if any.
    streams_exactly : bool
        Whether ``update`` in batches and ``merge`` give exactly the one-shot result.
    score_keys : tuple of str
        Keys of ``Result.scores``; the first is the main score.
    input_kind : str
        What predictions and references hold: ``"labels"``, ``"numbers"``,
        ``"text"``, ``"tags"``, ``"answers"`` or ``"rankings"``.
    reduction : str
        ``"sum"`` (summaries of parts add up; constant memory possible) or
        ``"rows"`` (the score needs every example).
    """

    name: str
    higher_is_better: bool
    bounds: tuple[float, float]
    extra: str | None
    streams_exactly: bool
    score_keys: tuple[str, ...]
    input_kind: str = "labels"
    reduction: str = "rows"


@dataclass(frozen=True)
class CorpusPass:
    """A first pass over every reference of a corpus that a metric's statistics depend on.

    A metric that needs one (BERTScore with ``idf=True``: token rarity among
    all references) returns this from :meth:`Metric.corpus_pass`; the Dask
    engine runs ``count`` on every partition's references, folds the counts
    with ``merge`` and scores with ``metric.with_corpus_pass(counts)``, so a
    partitioned file gets exactly the one-process numbers.

    Attributes
    ----------
    count : callable
        ``count(references) -> counts`` for one part of the corpus (picklable).
    merge : callable
        ``merge(a, b) -> counts``.
    """

    count: Callable[[Sequence[Any]], Any]
    merge: Callable[[Any, Any], Any]


class Metric:
    """Base class of every metric.

    Subclasses set the class attributes and implement :meth:`check_inputs`,
    :meth:`statistics`, :meth:`reduce` (or rely on the default sum) and
    :meth:`score`; :meth:`describe`, :meth:`per_example`, :meth:`settings` and
    :meth:`tool_signature` are optional.  Make instances with
    :func:`nlpmetrics.load`.  A metric written against the older protocol,
    with only ``aggregate(rows, weights)``, still works (as a ``"rows"``
    metric).

    Parameters
    ----------
    keep_examples : bool
        Keep every example's statistics (the default): intervals, paired
        tests and per-example scores need them.  ``False`` keeps only what the
        score needs, so memory stays constant however many examples stream
        through (a ``"sum"`` metric keeps its running summary; a metric with
        ``distinct_rows``, such as classification, its table of distinct rows
        and keeps exact intervals).
    **options
        The metric's options (see the class docstring); checked now.
    """

    name: ClassVar[str]
    #: Set on each subclass from its options (``help()`` and IDEs show them).
    __signature__: ClassVar[inspect.Signature]
    options: ClassVar[Mapping[str, Option]] = {}
    #: What predictions and references hold (one of INPUT_KINDS); the CLI and reports read it.
    input_kind: ClassVar[str] = "labels"
    #: ``-m`` names chosen when the data holds ``input_kind`` and the user named no metric.
    auto_select: ClassVar[tuple[str, ...]] = ()
    #: ``"sum"``: summaries of parts add up; ``"rows"``: the score needs every row.
    reduction: ClassVar[Literal["sum", "rows"]] = "rows"
    #: Rows take few distinct values, so ``keep_examples=False`` keeps them with counts (exact intervals).
    distinct_rows: ClassVar[bool] = False
    #: How summary entries combine when not by addition: ``{"n_refs_min": "min", "n_refs_max": "max"}``.
    summary_reductions: ClassVar[Mapping[str, str]] = {}
    higher_is_better: ClassVar[bool] = True
    bounds: ClassVar[tuple[float, float]] = (0.0, 1.0)
    extra: ClassVar[str | None] = None
    #: The score keys.  The class holds the default; an instance whose options choose its scores (ROUGE types,
    #: retrieval measures) sets its own, so this is an instance attribute with a class-level default.
    score_keys: tuple[str, ...] = ()
    #: Modules whose versions go into the signature.
    reference_modules: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Document the options of every metric class in its signature and docstring."""
        super().__init_subclass__(**kwargs)
        if "options" in cls.__dict__ or "__signature__" not in cls.__dict__:
            _document_options(cls)

    def __init__(self, *, keep_examples: bool = True, **options: Any) -> None:
        self.config: dict[str, Any] = resolve_options(self.name, self.options, options)
        try:
            self.keep_examples = check_bool(keep_examples)
        except TypeError:
            raise InputError(f"keep_examples={keep_examples!r} must be True or False", argument="keep_examples",
                             ) from None
        self._state = MetricState(self._state_mode())

    def _state_mode(self) -> Literal["rows", "counts", "summary"]:
        if self.keep_examples:
            return "rows"
        if self.distinct_rows:
            return "counts"
        if self.reduction == "sum":
            return "summary"
        raise InputError(
            f"{self.name!r} needs every example to compute its score (it ranks or correlates them), so "
            "keep_examples=False cannot save memory for it; drop keep_examples=False",
            argument="keep_examples",
        )

    # ------------------------------------------------------------------ to implement
    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        """Validate and normalise one batch (already checked for equal length).

        The result must not share memory the caller can change: copy arrays
        that are kept as they are (the state owns its data).
        """
        raise NotImplementedError

    def statistics(self, predictions: Any, references: Any) -> Mapping[str, np.ndarray]:
        """Per-example statistics rows for a validated batch."""
        raise NotImplementedError

    def conversion_key(self) -> Hashable | None:
        """Return what :meth:`convert_inputs` depends on, or ``None`` when this metric converts nothing shared.

        Metrics whose keys are equal convert a batch identically (every
        classification metric turns labels into the same codes), so a
        :class:`~nlpmetrics.collection.MetricCollection` converts each batch
        once for all of them and hands the result to each one's
        :meth:`check_converted`.  A metric that declares a key has
        ``check_inputs(p, r) == check_converted(*convert_inputs(p, r))``.
        """
        return None

    def convert_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        """Run the shared first part of :meth:`check_inputs` (see :meth:`conversion_key`)."""
        return predictions, references

    def check_converted(self, predictions: Any, references: Any) -> tuple[Any, Any]:
        """Run the rest of :meth:`check_inputs`, on a batch :meth:`convert_inputs` made (this metric's own checks)."""
        return predictions, references

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> Summary:
        """Reduce ``rows`` to what the score needs, each row counted ``weights[i]`` times.

        The default for a ``"sum"`` metric sums every column (and records the
        total weight as ``"n"``); a ``"rows"`` metric keeps the rows and weights.
        ``weights`` of shape ``(resamples, n)`` gives summaries with that
        leading axis.
        """
        if self.reduction == "rows":
            return {"rows": rows, "weights": weights}
        summary: Summary = {name: weighted_sum(column, weights) for name, column in rows.items()}
        summary["n"] = total_weight(rows, weights)
        return summary

    def score(self, summary: Summary) -> Mapping[str, Any]:
        """Corpus scores from a summary (arrays of scores for a batched summary of a ``"sum"`` metric)."""
        if type(self).aggregate is not Metric.aggregate and self.reduction == "rows":
            return self.aggregate(summary["rows"], summary["weights"])
        raise NotImplementedError(f"{type(self).__name__} implements neither score() nor aggregate()")

    def describe(self, summary: Summary) -> dict[str, Any]:
        """Metric-specific details for the result (per-class tables, counts...)."""
        return {}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray] | None:
        """Per-example scores, or ``None`` where the metric has none."""
        return None

    def settings(self, summary: Summary) -> dict[str, str]:
        """Return the settings, derived from the options or the data, that decide the number (for the signature)."""
        return {}

    def tool_signature(self, summary: Summary) -> dict[str, str]:
        """Return a reference tool's own signature for this configuration and data (documentation only)."""
        return {}

    def corpus_pass(self) -> CorpusPass | None:
        """Return the first pass over all references this configuration needs, or ``None`` (the usual case)."""
        return None

    def with_corpus_pass(self, counts: Any) -> Metric:
        """Return a metric like this one that scores with the counts of :meth:`corpus_pass` over the whole corpus."""
        raise NotImplementedError(f"{self.name} declares no corpus pass")

    # ------------------------------------------------------------------ derived from the protocol
    def aggregate(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, float]:
        """Corpus scores of ``rows`` (each counted ``weights[i]`` times): ``score(reduce(rows, weights))``."""
        return {key: float(value) for key, value in self.score(self.reduce(rows, weights)).items()}

    def combine(self, first: Summary, second: Summary) -> Summary:
        """Two summaries of disjoint parts as one (by addition, or as ``summary_reductions`` says)."""
        if self.reduction == "rows":
            rows = concat_rows([first["rows"], second["rows"]])
            if first["weights"] is None and second["weights"] is None:
                return {"rows": rows, "weights": None}
            weights = [np.ones(n_rows(s["rows"])) if s["weights"] is None else s["weights"] for s in (first, second)]
            return {"rows": rows, "weights": np.concatenate(weights)}
        out = dict(first)
        for key, value in second.items():
            if key not in out:
                out[key] = value
                continue
            how = self.summary_reductions.get(key, "sum")
            if how == "min":
                out[key] = np.minimum(out[key], value)
            elif how == "max":
                out[key] = np.maximum(out[key], value)
            else:
                out[key] = out[key] + value
        return out

    @property
    def info(self) -> MetricInfo:
        """A :class:`MetricInfo` for this configured metric."""
        return MetricInfo(
            name=self.name,
            higher_is_better=self.higher_is_better,
            bounds=self.bounds,
            extra=self.extra,
            streams_exactly=self.streams_exactly,
            score_keys=self.score_keys,
            input_kind=self.input_kind,
            reduction=self.reduction,
        )

    @property
    def streams_exactly(self) -> bool:
        """Whether batched updates and merges reproduce the one-shot result exactly."""
        return True

    @property
    def streaming_caveat(self) -> str:
        """Why this configuration does not stream exactly, and what to do instead (when it does not)."""
        return ""

    @property
    def n(self) -> int:
        """Number of examples seen so far."""
        return self._state.n

    @property
    def provenance(self) -> Signature:
        """Metric and options: what rows must share to be combined with this metric's (made once)."""
        made = self.__dict__.get("_provenance")
        if made is None:
            made = self._provenance = Signature(self.name, self.numeric_config())
        return made

    def numeric_config(self) -> dict[str, Any]:
        """Return the options that can change a number (those of :attr:`provenance` and signatures)."""
        return {name: value for name, value in self.config.items()
                if name not in self.options or self.options[name].affects_numbers}

    # ------------------------------------------------------------------ streaming
    def update(self, *args: Any, predictions: Any = None, references: Any = None) -> Metric:
        """Add a batch of examples (any length, any number of calls).

        Parameters
        ----------
        predictions, references : sequence
            Keyword-only, one entry per example.  The libraries nlpmetrics
            replaces disagree on their order, so positional use is refused.
            The values are copied: changing an array after ``update`` changes
            nothing here.

        Returns
        -------
        Metric
            ``self``, so calls can be chained.
        """
        if args:
            raise TypeError(
                f"{type(self).__name__}.update() takes predictions= and references= as keywords only "
                "(positional order differs between libraries and a swapped pair gives a wrong number "
                "silently); call update(predictions=..., references=...)"
            )
        rows = self.rows_for(predictions=predictions, references=references)
        if self.n and n_rows(rows):
            self._warn_if_inexact("several update() calls")
        self._state.add_rows(self, rows)
        return self

    def _warn_if_inexact(self, how: str) -> None:
        if not self.streams_exactly:
            warnings.warn(
                InexactStreamingWarning(
                    f"{self.name} with these options does not stream exactly: {how} give a different number "
                    f"than one call on all the data. {self.streaming_caveat}".rstrip(),
                    code="inexact_streaming",
                ),
                stacklevel=3,
            )

    def rows_for(self, *, predictions: Any, references: Any) -> Rows:
        """Validate a batch and return its statistics rows, without touching the state."""
        predictions = as_sequence(predictions, "predictions")
        references = as_sequence(references, "references")
        check_same_length(predictions, references)
        if len(predictions) == 0:
            return Rows(origin=self.provenance)
        return self.rows_of_checked(*self.check_inputs(predictions, references))

    def rows_of_checked(self, predictions: Any, references: Any) -> Rows:
        """Return the statistics rows of a batch that passed :meth:`check_inputs` (or :meth:`check_converted`)."""
        rows = as_rows(self.statistics(predictions, references))
        rows.origin = self.provenance
        return rows

    def check_rows(self, rows: Any) -> Rows:
        """``rows`` if they were made by a metric with this name and these options, else an InputError."""
        if not isinstance(rows, Rows) or rows.origin is None:
            raise InputError(
                f"add_rows() takes the rows of a {self.name!r} metric (from rows_for() or rows()), not "
                f"{type(rows).__name__}; pass what another worker's metric returned",
                argument="rows",
            )
        difference = self.provenance.difference_text(rows.origin)
        if difference:
            raise InputError(
                f"these rows were made by another metric or with other options ({difference}); make every "
                f"worker's metric with nm.load({self.name!r}, ...) and the same options",
                argument="rows",
            )
        return rows

    def add_rows(self, rows: Rows) -> Metric:
        """Add statistics rows computed elsewhere (another worker or process) by a metric like this one."""
        rows = self.check_rows(rows)
        if self.n and n_rows(rows):
            self._warn_if_inexact("rows added in several parts")
        self._state.add_rows(self, rows)
        return self

    def merge(self, other: Metric) -> Metric:
        """Fold in another worker's state (same metric and options); returns ``self``."""
        if not isinstance(other, Metric) or type(other) is not type(self):
            name = other.name if isinstance(other, Metric) else type(other).__name__
            raise InputError(f"cannot merge a {name!r} metric into a {self.name!r} metric", argument="other")
        if other is self:
            raise InputError(
                f"cannot merge a {self.name!r} metric into itself: every example would count twice; "
                "merge another worker's metric", argument="other",
            )
        self._check_options(other.provenance, "other")
        if self.n and other.n:
            self._warn_if_inexact("merged workers")
        self._state.absorb(self, other.state_part())
        return self

    def _check_options(self, origin: Signature, argument: str | None) -> None:
        differing = [name for name, _, _ in self.provenance.differences(origin)]
        if differing:
            raise InputError(
                f"cannot merge {self.name!r} metrics made with different options ({', '.join(differing)}); "
                "make every worker's metric with the same options", argument=argument,
            )

    def state_part(self) -> StatePart:
        """Return the whole state as a picklable part (what ``sync`` and the Dask engine send), with its origin."""
        return self._state.export(origin=self.provenance)

    def check_part(self, part: StatePart, argument: str = "part") -> StatePart:
        """``part`` if :meth:`absorb` would take it (made by a metric with this name and options), else an InputError.

        Checks the part's origin in every mode (a ``keep_examples=False`` summary has no rows to carry one),
        with the errors of :meth:`merge`, and that it fits the state (keep_examples, label types); changes nothing.
        """
        self._check_origin(part, argument)
        self._state.check_part(self, part)
        return part

    def _check_origin(self, part: StatePart, argument: str | None) -> None:
        if not isinstance(part, StatePart):
            raise InputError(
                f"absorb() takes a state part from state_part() of a {self.name!r} metric, not "
                f"{type(part).__name__}", argument=argument,
            )
        origin = part.origin
        if origin is None:
            raise InputError(
                f"this state part does not say which metric made it; pass what state_part() of a {self.name!r} "
                "metric made with the same options returned", argument=argument,
            )
        if origin.metric != self.name:
            raise InputError(f"cannot merge a {origin.metric!r} metric into a {self.name!r} metric", argument=argument)
        self._check_options(origin, argument)
        if part.n and part.rows is not None:
            self.check_rows(part.rows)

    def absorb(self, part: StatePart) -> Metric:
        """Fold in a state part of a metric with this name and options (from :meth:`state_part`)."""
        self.check_part(part)
        if self.n and part.n:
            self._warn_if_inexact("state parts absorbed into a metric that has examples")
        self._state.absorb(self, part)
        return self

    def reset(self) -> Metric:
        """Forget every example seen; the options stay."""
        self._state.reset()
        return self

    def rows(self) -> Rows:
        """All statistics rows seen so far, concatenated in order (needs ``keep_examples=True``)."""
        if self._state.mode != "rows":
            raise InputError(
                f"{self.name!r} was made with keep_examples=False, so it keeps no rows; make it with "
                "keep_examples=True", argument="keep_examples",
            )
        return self._state.rows()

    def sync(self) -> Metric:
        """Under ``torch.distributed``: replace the state by every rank's state, in rank order."""
        from nlpmetrics.distributed.gather import gather_objects

        self._state = self._synced_state(gather_objects(self.state_part()))
        return self

    def _synced_state(self, parts: Sequence[StatePart]) -> MetricState:
        """Return a new state holding every rank's part, in rank order (the metric's own state is left alone)."""
        for part in parts:
            self._check_origin(part, None)  # every rank's, before any is absorbed
        state = MetricState(self._state.mode)
        for part in parts:
            if state.n and part.n:
                self._warn_if_inexact("several ranks' examples synced")
            state.absorb(self, part)
        return state

    # ------------------------------------------------------------------ scoring
    def compute(
        self,
        *,
        confidence: float | None = None,
        n_resamples: int = 1000,
        seed: int = 0,
        sync: bool = False,
    ):
        """Score everything seen so far; the state is left unchanged.

        Parameters
        ----------
        confidence : float, optional
            Level of percentile-bootstrap intervals to add (e.g. ``0.95``).
        n_resamples : int
            Bootstrap resamples.
        seed : int
            Seed of the resampling; the same seed gives the same interval.
        sync : bool
            Under ``torch.distributed``, score every rank's examples (each rank
            gets the result one process would get on all the data).

        Returns
        -------
        Result
        """
        from nlpmetrics.resampling import bootstrap_description, bootstrap_interval, check_resampling
        from nlpmetrics.result import Result

        check_resampling(confidence, n_resamples, seed)
        try:
            sync = check_bool(sync)
        except TypeError:
            raise InputError(f"sync={sync!r} must be True or False", argument="sync") from None
        source = self
        if sync:
            source = self.copy().sync()
        state = source._state
        if state.n == 0:
            raise InputError(
                f"no examples to score with {self.name!r}: pass non-empty predictions and references "
                "(or call update() before compute())"
            )
        if confidence is not None and state.mode == "summary":
            raise InputError(
                f"an interval needs every example, but this {self.name!r} metric was made with "
                "keep_examples=False and kept only its running totals; make it with keep_examples=True",
                argument="confidence",
            )
        summary = state.summary(self)
        scores = {key: float(value) for key, value in self.score(summary).items()}
        signature = self.signature_of(summary)
        ci = None
        if confidence is not None:
            ci = bootstrap_interval(self, state.rows(), counts=state.counts, confidence=confidence,
                                    n_resamples=n_resamples, seed=seed)
            signature = signature.with_resampling("ci", bootstrap_description(confidence, n_resamples, seed))
        per_example: Any
        if state.mode == "rows":
            rows = state.rows()
            per_example = functools.partial(self.per_example, rows)  # computed on first access
        else:
            per_example = _examples_not_kept(self.name)
        return Result(
            metric=self.name,
            scores=scores,
            n=state.n,
            ci=ci,
            per_example=per_example,
            details=self.describe(summary),
            signature=signature,
            options=dict(self.config),
            confidence=confidence,
        )

    def signature_of(self, summary: Summary) -> Signature:
        """Return the signature of a score computed from ``summary`` (options, settings, versions)."""
        from nlpmetrics import __version__
        from nlpmetrics.versions import module_version

        versions = {"nlpmetrics": __version__} | {m: module_version(m) for m in self.reference_modules}
        return Signature(self.name, self.numeric_config(), self.settings(summary), self.tool_signature(summary),
                         versions)

    def signature(self, resampling: str | None = None, rows: Mapping[str, np.ndarray] | None = None) -> Signature:
        """Return the signature of scoring ``rows`` (default: the state), optionally with a resampling method."""
        summary = self._state.summary(self) if rows is None else self.reduce(rows, None)
        signature = self.signature_of(summary)
        if resampling:
            kind, _, description = resampling.partition(":")
            signature = signature.with_resampling(kind, description)
        return signature

    def explanation(self, lang: str = "en"):
        """Return this metric's plain-language card (:class:`nlpmetrics.explanations.Card`)."""
        from nlpmetrics.explanations import load_card

        return load_card(self.name, lang)

    def copy(self) -> Metric:
        """Return an independent copy with the same options and state."""
        return copy.deepcopy(self)

    def empty_like(self) -> Metric:
        """Return a metric with the same options and no examples."""
        clone = copy.copy(self)
        clone._state = MetricState(self._state.mode)
        return clone

    def __repr__(self) -> str:
        """Show the metric's name, options and number of examples."""
        options = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"<{self.name}({options}) n={self.n}>"


class _examples_not_kept:  # lower case: a callable stand-in for per-example scores
    """What ``Result.per_example`` holds when the metric kept no examples: asking for them explains why."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self) -> None:
        raise InputError(
            f"per-example scores need every example, but this {self.name!r} metric was made with "
            "keep_examples=False; make it with keep_examples=True", argument="per_example",
        )


def _document_options(cls: type[Metric]) -> None:
    """Give a metric class an ``__init__`` signature and a numpydoc ``Parameters`` section from its options.

    ``help(nm.load("f1"))``, ``inspect.signature`` and IDEs that read them then
    show every option with its default and meaning.
    """
    declared = cls.__dict__.get("options", None)
    options: Mapping[str, Option] = declared if declared is not None else getattr(cls, "options", {})
    parameters = [inspect.Parameter("keep_examples", inspect.Parameter.KEYWORD_ONLY, default=True, annotation=bool)]
    parameters += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option.default)
                   for name, option in options.items()]
    cls.__signature__ = inspect.Signature(parameters)
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
    if "\nParameters\n" in doc or not options:
        return
    lines = [doc, "", "Parameters", "----------"]
    for name, option in options.items():
        lines.append(f"{name} : {_option_type(option)}, default {option.default!r}")
        text = option.doc or "See the metric's documentation."
        lines.append(f"    {text[:1].upper()}{text[1:]}{'' if text.endswith('.') else '.'}")
    lines.append("keep_examples : bool, default True")
    lines.append("    Keep every example's statistics (intervals, per-example scores); False keeps only totals.")
    cls.__doc__ = "\n".join(lines)


def _option_type(option: Option) -> str:
    """Return the numpydoc type of an option: its choices, or the type of its default."""
    if option.choices:
        return "{" + ", ".join(repr(c) for c in option.choices) + "}"
    if option.default is None:
        return "object, optional"
    if isinstance(option.default, tuple):
        return "sequence"
    return type(option.default).__name__


def total_weight(rows: Mapping[str, np.ndarray], weights: np.ndarray | None) -> Any:
    """How many examples ``rows`` stand for: their number, or the sum of ``weights`` (per resample)."""
    if weights is None:
        return n_rows(rows)
    return weights.sum(axis=-1)


def weighted_sum(values: np.ndarray, weights: np.ndarray | None) -> Any:
    """``values.sum(axis=0)``, each row counted ``weights[..., i]`` times when given.

    ``weights`` of shape ``(n,)`` gives ``values.shape[1:]``; of shape
    ``(resamples, n)``, a leading resample axis.
    """
    if weights is None:
        return values.sum(axis=0)
    return np.tensordot(weights, values, axes=(-1, 0))


def weighted_mean(values: np.ndarray, weights: np.ndarray | None) -> Any:
    """Mean over rows, each row counted ``weights[..., i]`` times when given."""
    if weights is None:
        return values.mean(axis=0)
    total = weights.sum(axis=-1)
    return weighted_sum(values, weights) / (total if np.ndim(total) == 0 else total.reshape(
        total.shape + (1,) * (values.ndim - 1)))
