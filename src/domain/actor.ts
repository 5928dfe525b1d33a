/**
 * Who asks: the workspace and user of the signed Slack payload, the only identity the bot trusts.
 * The same person is the requester of a typed command, the submitter of a form, and the approver
 * who clicks a button.
 */
export interface Actor {
  readonly teamId: string;
  readonly userId: string;
}

/** Where a request is asked from, and where its record goes. */
export interface ChannelRef {
  readonly id: string;
  /** As the payload or Slack named it; undefined when neither did. */
  readonly name: string | undefined;
}
