/**
 * The arithmetic of an evaluation: which declarations and scores are still missing, and the
 * weighted ranking. Pure functions over the evaluation part of a tender's state.
 */
import type { TenderCriterion } from '@pcp/contracts';

export const MIN_SCORE = 0;
export const MAX_SCORE = 100;

export interface CriterionScore {
  criterion: string;
  score: number;
}

export interface EvaluationState {
  /** Assigned evaluators' user ids, in order of assignment. */
  evaluators: string[];
  /** bidId -> evaluatorId -> declared conflict of interest. */
  declarations: Record<string, Record<string, boolean>>;
  /** bidId -> evaluatorId -> the evaluator's scores, one per criterion. */
  scores: Record<string, Record<string, CriterionScore[]>>;
}

/** A bid as the evaluation sees it: admissible bids only, with the lot it competes in. */
export interface EvaluatedBid {
  bidId: string;
  lotId: string | null;
}

export interface RankedBidEntry {
  bidId: string;
  lotId: string | null;
  /** 1 is best, within the bid's lot; equal scores share a rank. */
  rank: number;
  /** Sum over criteria of weight x mean score / 100, rounded to two decimals. */
  weightedScore: number;
}

export type OutstandingKind = 'DECLARATION' | 'SCORE' | 'NO_EVALUATOR';

export interface Outstanding {
  bidId: string;
  /** Null for NO_EVALUATOR: every assigned evaluator declared a conflict for the bid. */
  evaluatorId: string | null;
  missing: OutstandingKind;
}

export function emptyEvaluation(): EvaluationState {
  return { evaluators: [], declarations: {}, scores: {} };
}

/** Non-conflicted evaluators who declared for the bid. */
export function scorersOf(evaluation: EvaluationState, bidId: string): string[] {
  const declared = evaluation.declarations[bidId] ?? {};
  return evaluation.evaluators.filter((e) => declared[e] === false);
}

/**
 * What still stands between the evaluation and its end: each assigned evaluator declares for
 * each bid, each one without a conflict scores it, and each bid has at least one such scorer.
 */
export function outstandingWork(evaluation: EvaluationState, bids: EvaluatedBid[]): Outstanding[] {
  const outstanding: Outstanding[] = [];
  for (const { bidId } of bids) {
    const declared = evaluation.declarations[bidId] ?? {};
    const scored = evaluation.scores[bidId] ?? {};
    for (const evaluatorId of evaluation.evaluators) {
      if (declared[evaluatorId] === undefined) {
        outstanding.push({ bidId, evaluatorId, missing: 'DECLARATION' });
      } else if (declared[evaluatorId] === false && scored[evaluatorId] === undefined) {
        outstanding.push({ bidId, evaluatorId, missing: 'SCORE' });
      }
    }
    const allDeclared = evaluation.evaluators.every((e) => declared[e] !== undefined);
    if (allDeclared && scorersOf(evaluation, bidId).length === 0) {
      outstanding.push({ bidId, evaluatorId: null, missing: 'NO_EVALUATOR' });
    }
  }
  return outstanding;
}

export function evaluationComplete(evaluation: EvaluationState, bids: EvaluatedBid[]): boolean {
  return (
    bids.length > 0 &&
    evaluation.evaluators.length > 0 &&
    outstandingWork(evaluation, bids).length === 0
  );
}

/** The weighted score of one bid over the scores given so far; null before the first score. */
export function weightedScore(
  criteria: TenderCriterion[],
  evaluation: EvaluationState,
  bidId: string,
): number | null {
  const given = Object.values(evaluation.scores[bidId] ?? {});
  if (given.length === 0) return null;
  let total = 0;
  for (const { name, weight } of criteria) {
    const values = given.map((scores) => scores.find((s) => s.criterion === name)?.score ?? 0);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    total += (weight * mean) / 100;
  }
  return Math.round(total * 100) / 100;
}

/**
 * Bids in rank order within each lot (lots in the order their first bid appears). Bids not
 * scored yet are left out, so a partial ranking can be shown to those allowed to see it.
 */
export function rankingOf(
  criteria: TenderCriterion[],
  evaluation: EvaluationState,
  bids: EvaluatedBid[],
): RankedBidEntry[] {
  const scored = bids
    .map((bid, order) => ({ ...bid, order, score: weightedScore(criteria, evaluation, bid.bidId) }))
    .filter((b): b is typeof b & { score: number } => b.score !== null);
  const lots = [...new Set(scored.map((b) => b.lotId))];
  return lots.flatMap((lotId) => {
    const inLot = scored
      .filter((b) => b.lotId === lotId)
      .sort((a, b) => b.score - a.score || a.order - b.order);
    return inLot.map((b) => ({
      bidId: b.bidId,
      lotId,
      rank: 1 + inLot.filter((other) => other.score > b.score).length,
      weightedScore: b.score,
    }));
  });
}

/** Bids left out of an award although they rank strictly above an awarded bid of their lot. */
export function passedOver(ranking: RankedBidEntry[], awarded: string[]): RankedBidEntry[] {
  const chosen = ranking.filter((r) => awarded.includes(r.bidId));
  return ranking.filter(
    (r) =>
      !awarded.includes(r.bidId) &&
      chosen.some((c) => c.lotId === r.lotId && c.weightedScore < r.weightedScore),
  );
}
