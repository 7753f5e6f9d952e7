import { AuthController } from '../common/auth-controller.decorator';
import { Body, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { toIso } from '../common/clock';
import { Authenticated } from '../common/decorators';
import { JsonBody } from '../common/json-body';
import { NoStore } from '../common/no-store.decorator';
import { type Page, PageOf, PageQuery, toPage, toPageRequest } from '../common/pagination';
import { ParsePublicIdPipe } from '../common/path-params';
import type { ClientEntity } from './client.entity';
import { ClientsService } from './clients.service';
import { ClientDto, CreateClientDto, CreatedClientDto } from './dto/client.dto';

const ClientPage = PageOf(ClientDto, 'ClientPage');

function toClientDto(client: ClientEntity): ClientDto {
  return { client_id: client.id, name: client.name, created_at: toIso(client.createdAt) as string };
}

@ApiTags('Clients')
@AuthController('clients')
@Authenticated({ roles: ['admin'] })
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @JsonBody()
  @NoStore()
  @ApiOperation({
    summary: 'Create a client application',
    description: 'The `client_secret` is shown only in this response.',
  })
  @ApiResponse({ status: 201, type: CreatedClientDto })
  @ApiErrors(409)
  async create(@Body() body: CreateClientDto): Promise<CreatedClientDto> {
    const { client, secret } = await this.clients.create(body.name);
    return { ...toClientDto(client), client_secret: secret };
  }

  @Get()
  @ApiOperation({ summary: 'List client applications', description: 'Secrets are never returned.' })
  @ApiResponse({ status: 200, type: ClientPage })
  @ApiErrors(400)
  async list(@Query() query: PageQuery): Promise<Page<ClientDto>> {
    const page = toPageRequest(query);
    const [clients, count] = await this.clients.findPage(page);
    return toPage(page, clients.map(toClientDto), count);
  }

  @Delete(':client_id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a client application',
    description: 'Its secret stops working at once.',
  })
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @ApiErrors(404)
  async delete(
    @Param('client_id', new ParsePublicIdPipe('client_id')) clientId: string,
  ): Promise<void> {
    await this.clients.delete(clientId);
  }
}
