import { z } from 'zod';
import { call, event } from '../define';
import { CardStateSchema } from '../../card';

export const cardGroup = {
  getState: call(z.void(), CardStateSchema),
  state: event(CardStateSchema),
};
