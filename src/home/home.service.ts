import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { AuthService, MeView } from '../auth/auth.service';

export interface HomeSection {
  /** Partial name under views/partials, e.g. `home_learner`. */
  partial: string;
  data: unknown;
}

/** A module contributes a block to the home page of the roles it serves (what is due, this month's study day...). */
export interface HomeContributor {
  order: number;
  section(actor: Actor): Promise<HomeSection | null>;
}

@Injectable()
export class HomeService {
  private readonly contributors: HomeContributor[] = [];

  constructor(private readonly auth: AuthService) {}

  register(contributor: HomeContributor): void {
    this.contributors.push(contributor);
    this.contributors.sort((a, b) => a.order - b.order);
  }

  async page(actor: Actor): Promise<{ me: MeView; sections: HomeSection[] }> {
    const me = await this.auth.me(actor);
    const sections = await Promise.all(this.contributors.map((c) => c.section(actor)));
    return { me, sections: sections.filter((s): s is HomeSection => s !== null) };
  }
}
