import { Test, TestingModule } from '@nestjs/testing';
import { BearerAuthGuard } from '@keyring/nest-auth';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

describe('AppController', () => {
  let appController: AppController;

  beforeEach(async () => {
    // @Authenticated() applies the library's guard, whose dependencies come with AuthModule:
    // a unit test without it replaces the guard, as for any guard with dependencies.
    const app: TestingModule = await Test.createTestingModule({
      controllers: [AppController],
      providers: [AppService],
    })
      .overrideGuard(BearerAuthGuard)
      .useValue({ canActivate: () => true })
      .compile();

    appController = app.get<AppController>(AppController);
  });

  describe('root', () => {
    it('should return "Hello World!"', () => {
      expect(appController.getHello()).toBe('Hello World!');
    });
  });
});
