import { Module } from '@nestjs/common';
import { TokenModule } from '../../token/token.module';
import { Seed002Controller } from './seed-002.controller';

@Module({ imports: [TokenModule], controllers: [Seed002Controller] })
export class Seed002Module {}
