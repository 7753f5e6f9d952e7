import { Controller, Get } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, Public, type Principal } from '@keyring/nest-auth';

/** The host's own routes, next to the library's and guarded by its bearer guard. */
@Controller('reports')
export class ReportsController {
  @Get()
  @Authenticated({ roles: ['admin', 'operator'] })
  list(@CurrentPrincipal() caller: Principal) {
    return { owner: caller.apiUserId, reports: [] };
  }

  /** Marked neither way: the global guard covers it. */
  @Get('summary')
  summary() {
    return { reports: 0 };
  }

  @Get('status')
  @Public()
  status() {
    return { up: true };
  }
}
