import { Controller, Get } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal } from '@keyring/nest-auth';
import { AppService } from './app.service';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  /** No decorator: the library's guard is not global here, so this stays open. */
  @Get()
  getHello(): string {
    return this.appService.getHello();
  }

  @Get('me')
  @Authenticated()
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('admin/stats')
  @Authenticated({ roles: ['admin'] })
  adminStats() {
    return { ok: true };
  }
}
