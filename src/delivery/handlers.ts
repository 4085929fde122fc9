/**
 * crmscript handlers (superoffice-webhooks.md §9): what one receives and returns, whether the embedding
 * application registered it or it was loaded from a scripts folder (script-folder.ts).
 */

/** What a crmscript handler receives: the payload, the changed values, the webhook's properties. */
export interface HandlerInput {
  payload: Record<string, unknown>;
  values: Record<string, unknown>;
  properties: Record<string, unknown>;
}
export type EventHandler = (input: HandlerInput) => unknown | Promise<unknown>;

/** Thrown into a call that ran past the time limit: the CrmScriptPlugin reports it at the `timeout` stage. */
export class ScriptTimeout extends Error {
  constructor(
    readonly script: string,
    readonly ms: number,
  ) {
    super(`script '${script}' did not finish within ${ms} ms; its worker was stopped`);
    this.name = 'ScriptTimeout';
  }
}
