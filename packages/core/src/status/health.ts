import { HEALTH_STATES, type Health } from '@engineconn/protocol/constants';

/** The worse of two health states. */
export function worstHealth(a: Health, b: Health): Health {
  return HEALTH_STATES.indexOf(a) >= HEALTH_STATES.indexOf(b) ? a : b;
}
