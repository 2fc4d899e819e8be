import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { securityKeyFormAnswer, type SecurityKeyQuestionKind } from '../../../domain/policy/unblock';
import type { ErrorCode } from '../../../domain/errors';
import { useApi } from '../lib/api-context';

export interface SecurityKeyQuestion {
  id: string;
  kind: SecurityKeyQuestionKind;
  length?: number;
}

/** Questions whose meaning Vigie knows; any other is labelled by its kind. */
const KNOWN_QUESTIONS = ['birth_date', 'practice_postal_code', 'iban_last4'] as const;
const isKnownQuestion = (id: string): id is (typeof KNOWN_QUESTIONS)[number] =>
  (KNOWN_QUESTIONS as readonly string[]).includes(id);

/** The questions the backend asks for a security key (the same for every account). */
export function useSecurityKeyQuestions(): {
  questions: SecurityKeyQuestion[] | null;
  code: ErrorCode | null;
} {
  const api = useApi();
  const [questions, setQuestions] = useState<SecurityKeyQuestion[] | null>(null);
  const [code, setCode] = useState<ErrorCode | null>(null);
  useEffect(() => {
    void api.unblock
      .securityKeyQuestions()
      .then((r) => (r.ok ? setQuestions(r.value.questions) : setCode(r.code)));
  }, [api]);
  return { questions, code };
}

/** The answers as the backend takes them (dates as ISO days), or null while one of them cannot be right. */
export function formAnswers(
  questions: SecurityKeyQuestion[],
  answers: Record<string, string>,
): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const q of questions) {
    const a = securityKeyFormAnswer(q.kind, answers[q.id] ?? '', q.length);
    if (a === null) return null;
    out[q.id] = a;
  }
  return out;
}

/**
 * One input per question, typed the way a person in France would (a date as 14/07/1979). Once `showErrors` is
 * set, an answer that cannot be right says why under its field.
 */
export function SecurityKeyFields({
  questions,
  answers,
  onChange,
  showErrors,
}: {
  questions: SecurityKeyQuestion[];
  answers: Record<string, string>;
  onChange: (next: Record<string, string>) => void;
  showErrors: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <>
      {questions.map((q) => {
        const value = answers[q.id] ?? '';
        const wrong = showErrors && securityKeyFormAnswer(q.kind, value, q.length) === null;
        return (
          <div className="field" key={q.id}>
            <label htmlFor={`${id}-${q.id}`}>
              {isKnownQuestion(q.id)
                ? t(`unblock.key.id.${q.id}`)
                : t(`unblock.key.q.${q.kind}`, { count: q.length ?? 0 })}
            </label>
            <input
              id={`${id}-${q.id}`}
              inputMode="numeric"
              autoComplete="off"
              placeholder={q.kind === 'date' ? t('unblock.key.datePlaceholder') : undefined}
              maxLength={q.kind === 'date' ? 10 : q.kind === 'postal-code' ? 6 : q.length}
              value={value}
              onChange={(e) => onChange({ ...answers, [q.id]: e.target.value })}
              aria-invalid={wrong || undefined}
              aria-describedby={wrong ? `${id}-${q.id}-e` : undefined}
              data-question={q.id}
            />
            {wrong && (
              <p id={`${id}-${q.id}-e`} className="field-error">
                {t(`unblock.key.invalid.${q.kind}`, { count: q.length ?? 0 })}
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}
