/**
 * A contact named on the command line, resolved once to its id before any PvtApi call (the API is keyed
 * by id; a rename in between cannot redirect the command). Unknown or ambiguous names fail with the
 * names that could be meant (src/app/contact-lookup.ts).
 */
import type { ContactView, PvtApi } from '../../app/api.ts';
import { resolveContact } from '../../app/contact-lookup.ts';

export async function contactArg(api: PvtApi, typed: string): Promise<ContactView> {
  return resolveContact(await api.contacts(), typed);
}
