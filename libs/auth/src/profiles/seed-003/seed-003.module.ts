import { Module } from '@nestjs/common';
import { TokenModule } from '../../token/token.module';
import { Seed003Controller } from './seed-003.controller';

@Module({ imports: [TokenModule], controllers: [Seed003Controller] })
export class Seed003Module {}
