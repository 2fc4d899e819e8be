import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as fr from '@zxcvbn-ts/language-fr';
import { passwordProblems } from '../domain/policy';
import type { BackendConfig } from './context';

/** argon2id (the library's default algorithm; its `Algorithm` const enum breaks isolatedModules). */
export class PasswordHasher {
  private dummy: Promise<string>;
  constructor(private readonly params: BackendConfig['argon2']) {
    // A real hash of a random secret: unknown identifiers are verified against it, so they cost the same.
    this.dummy = hash(`dummy-${Math.random()}-${Date.now()}`, params);
  }
  hash(password: string): Promise<string> {
    return hash(password.normalize('NFC'), this.params);
  }
  async verify(stored: string | null, password: string): Promise<boolean> {
    const target = stored ?? (await this.dummy);
    try {
      const ok = await verify(target, password.normalize('NFC'));
      return stored !== null && ok;
    } catch {
      return false;
    }
  }
}

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...fr.dictionary },
  graphs: common.adjacencyGraphs,
  translations: fr.translations,
});

export interface StrengthReport {
  acceptable: boolean;
  problems: string[];
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** CNIL rules (domain/policy) + zxcvbn with the French dictionaries and the user's own data as inputs. */
export function passwordStrength(password: string, personal: string[], minScore: number): StrengthReport {
  const problems: string[] = passwordProblems(password, personal);
  // zxcvbn is quadratic-ish on long inputs; the rules already cap the length.
  const r = zxcvbn.check(password.slice(0, 128), personal.filter((p) => p.length > 0));
  if (r.score < minScore) problems.push('too_guessable');
  return {
    acceptable: problems.length === 0,
    problems,
    score: r.score,
    warning: r.feedback.warning || null,
    suggestions: r.feedback.suggestions,
  };
}
