/**
 * The Slack workspaces the bot serves: those `slack.allowed_team_ids` lists, else only the one its
 * token belongs to. That one is learnt at start (`auth.test`); until it is known no workspace is
 * served, so nothing that arrives before is let through by default.
 */
export class Workspaces {
  private tokenTeam: string | undefined;

  constructor(private readonly listed: readonly string[] | undefined) {}

  /** Learns the token's workspace; asks only when the file lists none (the list is then the whole truth). */
  async learnTokenTeam(lookUp: () => Promise<string>): Promise<void> {
    if (this.listed === undefined) this.tokenTeam = await lookUp();
  }

  allows(teamId: string): boolean {
    const served = this.listed ?? (this.tokenTeam === undefined ? [] : [this.tokenTeam]);
    return teamId !== '' && served.includes(teamId);
  }
}
